-- 001: the initial warehouse schema.
-- Every table and column carries a COMMENT: that is the users' documentation
-- (sql/schema.md is generated from it by `akhbar schema`).
-- Keys are enforced by the loader (delete-then-insert per article in one transaction)
-- and checked by tests; DuckDB index constraints are left out on purpose (large tables, bulk loads).

CREATE TABLE runs (
    run_id            VARCHAR NOT NULL,
    flow_run_id       VARCHAR,
    source            VARCHAR,
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ,
    status            VARCHAR NOT NULL,
    files_seen        BIGINT,
    files_loaded      BIGINT,
    files_unchanged   BIGINT,
    files_rejected    BIGINT,
    files_duplicate   BIGINT,
    articles_loaded   BIGINT,
    pipeline_version  VARCHAR NOT NULL
);
COMMENT ON TABLE runs IS 'One row per ingest run (akhbar run, a scheduled flow run or a backfill). Key: run_id.';
COMMENT ON COLUMN runs.run_id IS 'Identifier of the run (the Prefect flow run id when run under Prefect).';
COMMENT ON COLUMN runs.flow_run_id IS 'Prefect flow run id, to find the run in the Prefect UI.';
COMMENT ON COLUMN runs.source IS 'Source location the run read (folder path or fsspec URL).';
COMMENT ON COLUMN runs.started_at IS 'When the run started (UTC).';
COMMENT ON COLUMN runs.finished_at IS 'When the run finished (UTC); NULL while running or if it crashed.';
COMMENT ON COLUMN runs.status IS 'running, completed or failed.';
COMMENT ON COLUMN runs.files_seen IS 'Files listed under the source.';
COMMENT ON COLUMN runs.files_loaded IS 'Files whose documents were (re)loaded by this run.';
COMMENT ON COLUMN runs.files_unchanged IS 'Files skipped because their bytes were already loaded.';
COMMENT ON COLUMN runs.files_rejected IS 'Files rejected (see ingest_files.reason).';
COMMENT ON COLUMN runs.files_duplicate IS 'Files with the same bytes as another already-loaded file.';
COMMENT ON COLUMN runs.articles_loaded IS 'Articles (documents) written by this run.';
COMMENT ON COLUMN runs.pipeline_version IS 'akhbar version that produced the rows.';

CREATE TABLE ingest_files (
    source_uri    VARCHAR NOT NULL,
    sha256        VARCHAR,
    bytes         BIGINT,
    format        VARCHAR,
    encoding      VARCHAR,
    status        VARCHAR NOT NULL,
    reason        VARCHAR,
    documents     BIGINT NOT NULL,
    duplicate_of  VARCHAR,
    run_id        VARCHAR NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE ingest_files IS 'Lineage: one row per input file ever seen, with the outcome of the last run that processed its current bytes. Key: source_uri.';
COMMENT ON COLUMN ingest_files.source_uri IS 'URI of the file (file:///abs/path for local files, or the fsspec URL).';
COMMENT ON COLUMN ingest_files.sha256 IS 'SHA-256 of the file bytes; a re-run skips files whose bytes are unchanged.';
COMMENT ON COLUMN ingest_files.bytes IS 'File size in bytes.';
COMMENT ON COLUMN ingest_files.format IS 'Detected format: txt, html, json, jsonl, trec, gigaword, zip, gz.';
COMMENT ON COLUMN ingest_files.encoding IS 'Detected text encoding (utf-8, utf-16, cp1256, iso8859-6, ...).';
COMMENT ON COLUMN ingest_files.status IS 'loaded, rejected or duplicate (runs.files_unchanged counts the files a run skipped).';
COMMENT ON COLUMN ingest_files.reason IS 'Human-readable reason for a rejection, or for documents rejected inside a loaded file.';
COMMENT ON COLUMN ingest_files.documents IS 'Number of documents (articles) the file yielded.';
COMMENT ON COLUMN ingest_files.duplicate_of IS 'For status duplicate: source_uri of the file with the same bytes that was loaded.';
COMMENT ON COLUMN ingest_files.run_id IS 'Run that last processed this file (runs.run_id).';
COMMENT ON COLUMN ingest_files.updated_at IS 'When this row was last written (UTC).';

CREATE TABLE articles (
    article_id       VARCHAR NOT NULL,
    source_uri       VARCHAR NOT NULL,
    doc_key          VARCHAR NOT NULL,
    url              VARCHAR,
    title            VARCHAR,
    published_at     TIMESTAMPTZ,
    source_name      VARCHAR,
    author           VARCHAR,
    dateline         VARCHAR,
    text             VARCHAR NOT NULL,
    body_start_char  BIGINT,
    content_sha256   VARCHAR NOT NULL,
    format           VARCHAR,
    encoding         VARCHAR,
    run_id           VARCHAR NOT NULL
);
COMMENT ON TABLE articles IS 'One row per news article (document). Key: article_id. All *_char offsets in other tables are 0-based, end-exclusive character positions in articles.text: substr(text, start_char + 1, end_char - start_char).';
COMMENT ON COLUMN articles.article_id IS 'Stable id: first 16 hex digits of sha256(source_uri || chr(31) || doc_key).';
COMMENT ON COLUMN articles.source_uri IS 'URI of the file the article came from (archive members: <archive uri>!<member path>).';
COMMENT ON COLUMN articles.doc_key IS 'Key of the document inside its file (DOCNO, JSON id, #index, L<line>); empty for single-document files.';
COMMENT ON COLUMN articles.url IS 'Original web address of the article, when the file gives one.';
COMMENT ON COLUMN articles.title IS 'Headline (cleaned); it is also the first line of text.';
COMMENT ON COLUMN articles.published_at IS 'Publication time (UTC); naive times in the files are taken as UTC.';
COMMENT ON COLUMN articles.source_name IS 'Publisher or outlet (source / source_domain / SRC).';
COMMENT ON COLUMN articles.author IS 'Author(s) as given by the file.';
COMMENT ON COLUMN articles.dateline IS 'Place of the dateline opening the body (طرابلس in "طرابلس - ..."), NULL when none.';
COMMENT ON COLUMN articles.text IS 'The stored, cleaned article text (title line, then body paragraphs one per line). All offsets refer to it.';
COMMENT ON COLUMN articles.body_start_char IS 'Offset in text where the body starts (after the title line).';
COMMENT ON COLUMN articles.content_sha256 IS 'SHA-256 of the document content as read (title and body), to find the same article under two files.';
COMMENT ON COLUMN articles.format IS 'Format of the document (txt, html, json, jsonl, trec, gigaword).';
COMMENT ON COLUMN articles.encoding IS 'Encoding the document was decoded from.';
COMMENT ON COLUMN articles.run_id IS 'Run that loaded this version of the article (runs.run_id).';

CREATE TABLE paragraphs (
    article_id       VARCHAR NOT NULL,
    paragraph_index  INTEGER NOT NULL,
    start_char       BIGINT NOT NULL,
    end_char         BIGINT NOT NULL,
    kind             VARCHAR NOT NULL,
    text             VARCHAR NOT NULL
);
COMMENT ON TABLE paragraphs IS 'Paragraphs (non-empty lines) of articles.text. Key: (article_id, paragraph_index).';
COMMENT ON COLUMN paragraphs.article_id IS 'Article (articles.article_id).';
COMMENT ON COLUMN paragraphs.paragraph_index IS '0-based position of the paragraph in the article.';
COMMENT ON COLUMN paragraphs.start_char IS 'Start offset (0-based, in characters of articles.text).';
COMMENT ON COLUMN paragraphs.end_char IS 'End offset (exclusive).';
COMMENT ON COLUMN paragraphs.kind IS 'headline for the title line, body otherwise.';
COMMENT ON COLUMN paragraphs.text IS 'Paragraph text (= the substring of articles.text).';

CREATE TABLE sentences (
    article_id       VARCHAR NOT NULL,
    sentence_index   INTEGER NOT NULL,
    paragraph_index  INTEGER NOT NULL,
    start_char       BIGINT NOT NULL,
    end_char         BIGINT NOT NULL,
    text             VARCHAR NOT NULL
);
COMMENT ON TABLE sentences IS 'Sentences of articles.text. Key: (article_id, sentence_index).';
COMMENT ON COLUMN sentences.article_id IS 'Article (articles.article_id).';
COMMENT ON COLUMN sentences.sentence_index IS '0-based position of the sentence in the article.';
COMMENT ON COLUMN sentences.paragraph_index IS 'Paragraph holding the sentence (paragraphs.paragraph_index).';
COMMENT ON COLUMN sentences.start_char IS 'Start offset (0-based, in characters of articles.text).';
COMMENT ON COLUMN sentences.end_char IS 'End offset (exclusive).';
COMMENT ON COLUMN sentences.text IS 'Sentence text (= the substring of articles.text).';

CREATE TABLE tokens (
    article_id      VARCHAR NOT NULL,
    sentence_index  INTEGER NOT NULL,
    token_index     INTEGER NOT NULL,
    start_char      BIGINT NOT NULL,
    end_char        BIGINT NOT NULL,
    token           VARCHAR NOT NULL,
    norm            VARCHAR NOT NULL
);
COMMENT ON TABLE tokens IS 'Word and punctuation tokens (camel-tools simple_word_tokenize rules). Key: (article_id, token_index).';
COMMENT ON COLUMN tokens.article_id IS 'Article (articles.article_id).';
COMMENT ON COLUMN tokens.sentence_index IS 'Sentence holding the token (sentences.sentence_index).';
COMMENT ON COLUMN tokens.token_index IS '0-based position of the token in the article.';
COMMENT ON COLUMN tokens.start_char IS 'Start offset (0-based, in characters of articles.text).';
COMMENT ON COLUMN tokens.end_char IS 'End offset (exclusive).';
COMMENT ON COLUMN tokens.token IS 'Token as it stands in the text.';
COMMENT ON COLUMN tokens.norm IS 'Matching form: diacritics removed, alef variants to ا, ى to ي, ة to ه (camel-tools rules), Eastern Arabic digits to ASCII.';

CREATE TABLE entity_mentions (
    article_id      VARCHAR NOT NULL,
    mention_id      INTEGER NOT NULL,
    entity_id       VARCHAR NOT NULL,
    type            VARCHAR NOT NULL,
    start_char      BIGINT NOT NULL,
    end_char        BIGINT NOT NULL,
    surface         VARCHAR NOT NULL,
    title           VARCHAR,
    sentence_index  INTEGER,
    canonical_name  VARCHAR NOT NULL
);
COMMENT ON TABLE entity_mentions IS 'Each place a person, organisation or location is named in an article. Key: (article_id, mention_id).';
COMMENT ON COLUMN entity_mentions.article_id IS 'Article (articles.article_id).';
COMMENT ON COLUMN entity_mentions.mention_id IS '0-based position of the mention in the article.';
COMMENT ON COLUMN entity_mentions.entity_id IS 'Entity the mention refers to (entities.entity_id); the same across articles.';
COMMENT ON COLUMN entity_mentions.type IS 'PER (person), ORG (organisation) or LOC (location).';
COMMENT ON COLUMN entity_mentions.start_char IS 'Start offset of the name (0-based, in characters of articles.text).';
COMMENT ON COLUMN entity_mentions.end_char IS 'End offset (exclusive).';
COMMENT ON COLUMN entity_mentions.surface IS 'The name as written (without title and without attached clitics such as و ب ل).';
COMMENT ON COLUMN entity_mentions.title IS 'Title or rank written before the name (الفريق، اللواء، الوزير), not part of surface.';
COMMENT ON COLUMN entity_mentions.sentence_index IS 'Sentence holding the mention (sentences.sentence_index).';
COMMENT ON COLUMN entity_mentions.canonical_name IS 'Full name the mention resolves to in this article (حفتر -> خالد حفتر).';

CREATE TABLE entities (
    entity_id       VARCHAR NOT NULL,
    canonical_name  VARCHAR NOT NULL,
    type            VARCHAR NOT NULL,
    mention_count   BIGINT NOT NULL,
    article_count   BIGINT NOT NULL
);
COMMENT ON TABLE entities IS 'Distinct people, organisations and locations across the warehouse, rebuilt from entity_mentions with every load. Key: entity_id.';
COMMENT ON COLUMN entities.entity_id IS 'First 16 hex digits of sha256(type || chr(31) || normalised canonical name).';
COMMENT ON COLUMN entities.canonical_name IS 'Most frequent canonical spelling of the entity.';
COMMENT ON COLUMN entities.type IS 'PER, ORG or LOC.';
COMMENT ON COLUMN entities.mention_count IS 'Number of mentions in the warehouse.';
COMMENT ON COLUMN entities.article_count IS 'Number of articles that mention the entity.';

CREATE TABLE quotes (
    article_id          VARCHAR NOT NULL,
    quote_id            INTEGER NOT NULL,
    kind                VARCHAR NOT NULL,
    start_char          BIGINT NOT NULL,
    end_char            BIGINT NOT NULL,
    text                VARCHAR NOT NULL,
    verb                VARCHAR,
    speaker_text        VARCHAR,
    speaker_start_char  BIGINT,
    speaker_end_char    BIGINT,
    speaker_entity_id   VARCHAR,
    speaker_role        VARCHAR,
    sentence_index      INTEGER
);
COMMENT ON TABLE quotes IS 'Reported speech: who said what. Key: (article_id, quote_id).';
COMMENT ON COLUMN quotes.article_id IS 'Article (articles.article_id).';
COMMENT ON COLUMN quotes.quote_id IS '0-based position of the quote in the article.';
COMMENT ON COLUMN quotes.kind IS 'direct (inside quotation marks), indirect (a clause after أن/إن or a بحسب source) or mixed (indirect with a quoted fragment).';
COMMENT ON COLUMN quotes.start_char IS 'Start offset of the quoted words (direct: inside the marks; indirect: after أن/إن).';
COMMENT ON COLUMN quotes.end_char IS 'End offset (exclusive).';
COMMENT ON COLUMN quotes.text IS 'What was said (= the substring of articles.text).';
COMMENT ON COLUMN quotes.verb IS 'Speech verb or construction introducing the quote (قال، أكد، بحسب ...).';
COMMENT ON COLUMN quotes.speaker_text IS 'Speaker as written, or as carried over from the previous quote when the verb has no subject.';
COMMENT ON COLUMN quotes.speaker_start_char IS 'Start offset of the speaker as written in this sentence (NULL when carried over).';
COMMENT ON COLUMN quotes.speaker_end_char IS 'End offset (exclusive) of the speaker.';
COMMENT ON COLUMN quotes.speaker_entity_id IS 'Entity of the speaker (entities.entity_id), when the speaker is a named entity.';
COMMENT ON COLUMN quotes.speaker_role IS 'Role given in apposition (مدير إدارة التوجيه المعنوي).';
COMMENT ON COLUMN quotes.sentence_index IS 'Sentence holding the quote (sentences.sentence_index).';
