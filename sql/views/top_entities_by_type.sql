-- Top entities by type: rank within PER / ORG / LOC by mentions (all time; for a window, see docs/queries.md).
CREATE VIEW top_entities_by_type AS
SELECT
    type,
    CAST(rank() OVER (PARTITION BY type ORDER BY mentions DESC, articles DESC) AS INTEGER) AS rank_in_type,
    entity_id,
    canonical_name,
    mentions,
    articles,
    first_day,
    last_day
FROM (
    SELECT type, entity_id, canonical_name, CAST(sum(mentions) AS BIGINT) AS mentions,
           CAST(sum(articles) AS BIGINT) AS articles,
           min(day) AS first_day, max(day) AS last_day
    FROM entity_mentions_daily
    GROUP BY ALL
);
COMMENT ON VIEW top_entities_by_type IS 'Entities ranked within their type by mentions, then articles (ties share a rank). All time; over a window, aggregate entity_mentions_daily with a day filter (docs/queries.md).';
COMMENT ON COLUMN top_entities_by_type.type IS 'PER, ORG or LOC.';
COMMENT ON COLUMN top_entities_by_type.rank_in_type IS 'Rank within the type (1 = most mentioned); equal counts share a rank.';
COMMENT ON COLUMN top_entities_by_type.entity_id IS 'Entity (entities.entity_id).';
COMMENT ON COLUMN top_entities_by_type.canonical_name IS 'Entity name (entities.canonical_name).';
COMMENT ON COLUMN top_entities_by_type.mentions IS 'Mentions in the warehouse.';
COMMENT ON COLUMN top_entities_by_type.articles IS 'Articles that mention the entity.';
COMMENT ON COLUMN top_entities_by_type.first_day IS 'First UTC day the entity is mentioned (dated articles only).';
COMMENT ON COLUMN top_entities_by_type.last_day IS 'Last UTC day the entity is mentioned (dated articles only).';
