-- Aliases of entities: every distinct written form (surface) under which an entity is
-- mentioned, rebuilt by the loader from entity_mentions with every load.
CREATE TABLE entity_aliases (
    entity_id      VARCHAR NOT NULL,
    alias          VARCHAR NOT NULL,
    mention_count  BIGINT NOT NULL
);
COMMENT ON TABLE entity_aliases IS 'Written forms of each entity across the warehouse (حفتر and خالد حفتر for خالد حفتر), rebuilt from entity_mentions with every load. Key: (entity_id, alias).';
COMMENT ON COLUMN entity_aliases.entity_id IS 'Entity (entities.entity_id).';
COMMENT ON COLUMN entity_aliases.alias IS 'A surface form of the entity as written in articles (entity_mentions.surface: no title, no attached clitic).';
COMMENT ON COLUMN entity_aliases.mention_count IS 'Number of mentions of the entity written with this alias.';
