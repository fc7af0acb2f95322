-- 006: documentation only. Since issue 5 a speaker given as a surname or a role resolves to the
-- full name written elsewhere in the article, and the speaker offsets point at that occurrence.
COMMENT ON COLUMN quotes.speaker_text IS 'Speaker as written in the article: the subject of the speech verb, or the full name a surname or role resolves to, or the previous speaker carried over when the verb has no subject.';
COMMENT ON COLUMN quotes.speaker_start_char IS 'Start offset of speaker_text in articles.text: in the quote''s sentence, or at the occurrence of the full name the speaker resolved to (possibly another sentence); NULL when carried over from a previous quote.';
COMMENT ON COLUMN quotes.speaker_end_char IS 'End offset (exclusive) of speaker_text.';
