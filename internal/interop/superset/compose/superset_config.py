# Superset's configuration in docker compose's bi profile (credentials from
# the environment, local defaults in .env).
import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = "sqlite:////app/superset_home/superset.db"
# DuckDB is on Superset's list of unsafe dialects (SQL can read files); the
# mesh database is the read-only serving file meshctl publish writes.
PREVENT_UNSAFE_DB_CONNECTIONS = False
