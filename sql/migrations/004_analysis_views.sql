-- 004: analysis views (issue 8). Each view is also kept on its own in sql/views/<name>.sql,
-- byte for byte the same block as below (tests/test_views.py checks it). To change a view, edit its
-- file AND add a new migration with CREATE OR REPLACE VIEW: an applied migration is never edited.
-- Views only read the tables of 001 (not entity_aliases of 002 nor quotes.speaker_type of 003).
-- Order matters: top_entities_by_type reads entity_mentions_daily.

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

-- Keyword in context: every token with the words before and after it in its sentence.
CREATE VIEW keyword_in_context AS
SELECT
    t.norm,
    t.token AS keyword,
    substr(s.text, 1, t.start_char - s.start_char) AS left_context,
    substr(s.text, t.end_char - s.start_char + 1) AS right_context,
    s.text AS sentence,
    a.published_at,
    a.source_name,
    t.article_id,
    t.sentence_index,
    t.token_index,
    t.start_char,
    t.end_char
FROM tokens t
JOIN sentences s ON s.article_id = t.article_id AND s.sentence_index = t.sentence_index
JOIN articles a ON a.article_id = t.article_id;
COMMENT ON VIEW keyword_in_context IS 'Keyword in context: one row per token with the text before and after it in its sentence. Match the matching form (norm: no diacritics, ة->ه, ى->ي, أ/إ/آ->ا) or the token as written, e.g. WHERE norm = ''الحكومه''.';
COMMENT ON COLUMN keyword_in_context.norm IS 'Matching form of the token (tokens.norm).';
COMMENT ON COLUMN keyword_in_context.keyword IS 'Token as written (tokens.token).';
COMMENT ON COLUMN keyword_in_context.left_context IS 'Sentence text before the token (ends with the space before it, if any).';
COMMENT ON COLUMN keyword_in_context.right_context IS 'Sentence text after the token.';
COMMENT ON COLUMN keyword_in_context.sentence IS 'The whole sentence (sentences.text) = left_context || keyword || right_context.';
COMMENT ON COLUMN keyword_in_context.published_at IS 'Publication time of the article (UTC).';
COMMENT ON COLUMN keyword_in_context.source_name IS 'Publisher of the article.';
COMMENT ON COLUMN keyword_in_context.article_id IS 'Article (articles.article_id).';
COMMENT ON COLUMN keyword_in_context.sentence_index IS 'Sentence (sentences.sentence_index).';
COMMENT ON COLUMN keyword_in_context.token_index IS 'Token (tokens.token_index).';
COMMENT ON COLUMN keyword_in_context.start_char IS 'Start offset of the token in articles.text.';
COMMENT ON COLUMN keyword_in_context.end_char IS 'End offset (exclusive) of the token.';
