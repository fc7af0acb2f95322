-- 005: documents stored once. A document whose content equals an article already stored (from
-- another file, or earlier in the same batch) is not stored again: it is recorded here, pointing
-- at the article that holds its content.
CREATE TABLE duplicate_documents (
    article_id      VARCHAR NOT NULL,
    source_uri      VARCHAR NOT NULL,
    doc_key         VARCHAR NOT NULL,
    content_sha256  VARCHAR NOT NULL,
    duplicate_of    VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL
);
COMMENT ON TABLE duplicate_documents IS 'Documents not stored because an article with the same content (content_sha256) was already stored; each points at that article. Key: article_id.';
COMMENT ON COLUMN duplicate_documents.article_id IS 'Id the document would have had (sha256 of its source_uri and doc_key), not present in articles.';
COMMENT ON COLUMN duplicate_documents.source_uri IS 'File (or archive member) the document came from.';
COMMENT ON COLUMN duplicate_documents.doc_key IS 'Key of the document inside its file.';
COMMENT ON COLUMN duplicate_documents.content_sha256 IS 'SHA-256 of the document content as read, equal to that of the stored article.';
COMMENT ON COLUMN duplicate_documents.duplicate_of IS 'The stored article with the same content (articles.article_id).';
COMMENT ON COLUMN duplicate_documents.run_id IS 'Run that found the duplicate (runs.run_id).';
