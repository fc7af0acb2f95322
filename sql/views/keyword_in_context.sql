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
