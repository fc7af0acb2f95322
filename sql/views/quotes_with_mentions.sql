-- Quotes by speaker with the entities each quote mentions: "what did X say about Y".
CREATE VIEW quotes_with_mentions AS
WITH inside AS (
    SELECT q.article_id, q.quote_id, m.entity_id, min(m.start_char) AS first_char
    FROM quotes q
    JOIN entity_mentions m
      ON m.article_id = q.article_id AND m.start_char >= q.start_char AND m.end_char <= q.end_char
    GROUP BY ALL
), listed AS (
    SELECT i.article_id, i.quote_id,
           list(e.canonical_name ORDER BY i.first_char) AS mentioned,
           list(i.entity_id ORDER BY i.first_char) AS mentioned_entity_ids
    FROM inside i JOIN entities e ON e.entity_id = i.entity_id
    GROUP BY ALL
)
SELECT
    coalesce(s.canonical_name, q.speaker_text) AS speaker,
    q.speaker_entity_id,
    q.speaker_role,
    q.kind,
    q.verb,
    q.text,
    coalesce(l.mentioned, []::VARCHAR[]) AS mentioned,
    coalesce(l.mentioned_entity_ids, []::VARCHAR[]) AS mentioned_entity_ids,
    a.published_at,
    a.source_name,
    q.article_id,
    q.quote_id
FROM quotes q
JOIN articles a ON a.article_id = q.article_id
LEFT JOIN entities s ON s.entity_id = q.speaker_entity_id
LEFT JOIN listed l ON l.article_id = q.article_id AND l.quote_id = q.quote_id;
COMMENT ON VIEW quotes_with_mentions IS 'One row per quote with its speaker and the entities named inside the quoted words. What did X say about Y: WHERE speaker = ''X'' AND list_contains(mentioned, ''Y'').';
COMMENT ON COLUMN quotes_with_mentions.speaker IS 'Speaker: the entity''s canonical name when the speaker is a named entity, else the speaker as written (quotes.speaker_text); NULL when unknown.';
COMMENT ON COLUMN quotes_with_mentions.speaker_entity_id IS 'Entity of the speaker (entities.entity_id), when it is a named entity.';
COMMENT ON COLUMN quotes_with_mentions.speaker_role IS 'Role given in apposition (quotes.speaker_role).';
COMMENT ON COLUMN quotes_with_mentions.kind IS 'direct, indirect or mixed (quotes.kind).';
COMMENT ON COLUMN quotes_with_mentions.verb IS 'Speech verb or construction (quotes.verb).';
COMMENT ON COLUMN quotes_with_mentions.text IS 'What was said (quotes.text).';
COMMENT ON COLUMN quotes_with_mentions.mentioned IS 'Canonical names of the entities named inside the quoted words, in order of first mention, each once; empty list when none.';
COMMENT ON COLUMN quotes_with_mentions.mentioned_entity_ids IS 'entity_id of each name in mentioned, same order.';
COMMENT ON COLUMN quotes_with_mentions.published_at IS 'Publication time of the article (UTC).';
COMMENT ON COLUMN quotes_with_mentions.source_name IS 'Publisher of the article (articles.source_name).';
COMMENT ON COLUMN quotes_with_mentions.article_id IS 'Article (articles.article_id).';
COMMENT ON COLUMN quotes_with_mentions.quote_id IS 'Quote within the article (quotes.quote_id).';
