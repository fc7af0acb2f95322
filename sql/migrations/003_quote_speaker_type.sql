-- Quotes: the kind of source that spoke (issue 5, "Who said what").
ALTER TABLE quotes ADD COLUMN speaker_type VARCHAR;
COMMENT ON COLUMN quotes.speaker_type IS 'Kind of speaker: person (a named person, or a person''s role such as الوزير), organization (a named organisation, country or institution such as وزارة الخارجية) or unnamed (anonymous or collective sources: مصادر، مراقبون); NULL when no speaker was found.';
