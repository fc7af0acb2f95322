-- Co-mentions: entity pairs named in the same article, and how many sentences name both.
CREATE VIEW entity_co_mentions AS
WITH in_sentence AS (
    SELECT DISTINCT article_id, sentence_index, entity_id FROM entity_mentions WHERE sentence_index IS NOT NULL
), in_article AS (
    SELECT DISTINCT article_id, entity_id FROM entity_mentions
), sentence_pairs AS (
    SELECT x.entity_id AS entity_id, y.entity_id AS other_entity_id, count(*) AS sentences
    FROM in_sentence x JOIN in_sentence y
      ON x.article_id = y.article_id AND x.sentence_index = y.sentence_index AND x.entity_id <> y.entity_id
    GROUP BY ALL
), article_pairs AS (
    SELECT x.entity_id AS entity_id, y.entity_id AS other_entity_id, count(*) AS articles
    FROM in_article x JOIN in_article y ON x.article_id = y.article_id AND x.entity_id <> y.entity_id
    GROUP BY ALL
)
SELECT
    p.entity_id,
    e.canonical_name,
    e.type,
    p.other_entity_id,
    o.canonical_name AS other_name,
    o.type AS other_type,
    coalesce(s.sentences, 0) AS sentences,
    p.articles
FROM article_pairs p
LEFT JOIN sentence_pairs s ON s.entity_id = p.entity_id AND s.other_entity_id = p.other_entity_id
JOIN entities e ON e.entity_id = p.entity_id
JOIN entities o ON o.entity_id = p.other_entity_id;
COMMENT ON VIEW entity_co_mentions IS 'Co-mentions: one row per ordered pair of distinct entities named in at least one common article, so each pair appears twice (filter entity_id < other_entity_id to count it once). sentences = sentences naming both (0 when only the article does).';
COMMENT ON COLUMN entity_co_mentions.entity_id IS 'First entity of the pair (entities.entity_id).';
COMMENT ON COLUMN entity_co_mentions.canonical_name IS 'Name of the first entity.';
COMMENT ON COLUMN entity_co_mentions.type IS 'Type of the first entity (PER, ORG, LOC).';
COMMENT ON COLUMN entity_co_mentions.other_entity_id IS 'Second entity of the pair (entities.entity_id).';
COMMENT ON COLUMN entity_co_mentions.other_name IS 'Name of the second entity.';
COMMENT ON COLUMN entity_co_mentions.other_type IS 'Type of the second entity (PER, ORG, LOC).';
COMMENT ON COLUMN entity_co_mentions.sentences IS 'Sentences that name both entities.';
COMMENT ON COLUMN entity_co_mentions.articles IS 'Articles that name both entities.';
