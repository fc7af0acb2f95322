-- Speakers per source: who is quoted by which publisher, how often.
CREATE VIEW speakers_by_source AS
SELECT
    a.source_name,
    coalesce(s.canonical_name, q.speaker_text) AS speaker,
    q.speaker_entity_id,
    count(*) AS quotes,
    count(DISTINCT q.article_id) AS articles,
    min(a.published_at) AS first_quoted_at,
    max(a.published_at) AS last_quoted_at
FROM quotes q
JOIN articles a ON a.article_id = q.article_id
LEFT JOIN entities s ON s.entity_id = q.speaker_entity_id
WHERE q.speaker_text IS NOT NULL
GROUP BY ALL;
COMMENT ON VIEW speakers_by_source IS 'Speakers per source: one row per (publisher, speaker) with the number of quotes and articles. Quotes without a speaker are left out; source_name is NULL when the files do not name the publisher.';
COMMENT ON COLUMN speakers_by_source.source_name IS 'Publisher (articles.source_name); NULL when unknown.';
COMMENT ON COLUMN speakers_by_source.speaker IS 'Entity canonical name when the speaker is a named entity, else the speaker as written.';
COMMENT ON COLUMN speakers_by_source.speaker_entity_id IS 'Entity of the speaker (entities.entity_id), NULL for unnamed speakers.';
COMMENT ON COLUMN speakers_by_source.quotes IS 'Quotes of the speaker in that source.';
COMMENT ON COLUMN speakers_by_source.articles IS 'Articles of that source quoting the speaker.';
COMMENT ON COLUMN speakers_by_source.first_quoted_at IS 'Earliest publication time of those articles (UTC; NULL when undated).';
COMMENT ON COLUMN speakers_by_source.last_quoted_at IS 'Latest publication time of those articles (UTC).';
