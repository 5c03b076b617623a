-- Run once by the PostgreSQL image on a new data volume (docker-compose.yml mounts it into
-- /docker-entrypoint-initdb.d). The service runs as crosslearn_app, a login role that owns nothing;
-- the image's superuser (crosslearn) owns the schema and is used by the service only while it starts.
-- Change the password for anything but a local trial.
CREATE ROLE crosslearn_app LOGIN PASSWORD 'crosslearn_app' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
