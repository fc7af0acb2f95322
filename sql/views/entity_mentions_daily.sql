-- Mentions per entity per day (UTC day of articles.published_at).
CREATE VIEW entity_mentions_daily AS
SELECT
    CAST(a.published_at AT TIME ZONE 'UTC' AS DATE) AS day,
    m.entity_id,
    e.type,
    e.canonical_name,
    count(*) AS mentions,
    count(DISTINCT m.article_id) AS articles
FROM entity_mentions m
JOIN articles a ON a.article_id = m.article_id
JOIN entities e ON e.entity_id = m.entity_id
GROUP BY ALL;
COMMENT ON VIEW entity_mentions_daily IS 'Mentions per entity per day: one row per (day, entity). Articles without a publication time fall on day NULL. Filter on day for a window.';
COMMENT ON COLUMN entity_mentions_daily.day IS 'UTC calendar day of articles.published_at; NULL for undated articles.';
COMMENT ON COLUMN entity_mentions_daily.entity_id IS 'Entity (entities.entity_id).';
COMMENT ON COLUMN entity_mentions_daily.type IS 'PER, ORG or LOC.';
COMMENT ON COLUMN entity_mentions_daily.canonical_name IS 'Entity name (entities.canonical_name).';
COMMENT ON COLUMN entity_mentions_daily.mentions IS 'Mentions of the entity in the articles of that day.';
COMMENT ON COLUMN entity_mentions_daily.articles IS 'Articles of that day that mention the entity.';
