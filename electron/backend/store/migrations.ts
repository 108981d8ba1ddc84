/**
 * Numbered, forward-only schema migrations. Migration N brings the database from
 * `user_version` N-1 to N. Never edit a migration that has shipped; add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: datasets with provenance, candles, portfolios, runs.
  `
  CREATE TABLE datasets (
    id            INTEGER PRIMARY KEY,
    symbol        TEXT    NOT NULL,
    venue         TEXT,
    market        TEXT    NOT NULL DEFAULT 'unknown',
    bar_seconds   INTEGER NOT NULL CHECK (bar_seconds > 0),
    first_time    INTEGER NOT NULL,
    last_time     INTEGER NOT NULL,
    rows          INTEGER NOT NULL CHECK (rows > 0),
    price_decimals INTEGER NOT NULL DEFAULT 2,
    created_at    INTEGER NOT NULL
  );
  CREATE TABLE dataset_sources (
    id          INTEGER PRIMARY KEY,
    dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    file_name   TEXT    NOT NULL,
    sha256      TEXT    NOT NULL UNIQUE,
    format      TEXT    NOT NULL,
    rows        INTEGER NOT NULL,
    first_time  INTEGER NOT NULL,
    last_time   INTEGER NOT NULL,
    imported_at INTEGER NOT NULL
  );
  CREATE INDEX dataset_sources_dataset ON dataset_sources(dataset_id);
  CREATE TABLE candles (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    time       INTEGER NOT NULL,
    open       REAL    NOT NULL,
    high       REAL    NOT NULL,
    low        REAL    NOT NULL,
    close      REAL    NOT NULL,
    volume     REAL    NOT NULL,
    PRIMARY KEY (dataset_id, time)
  ) WITHOUT ROWID;
  CREATE TABLE portfolios (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE accounts (
    id           INTEGER PRIMARY KEY,
    portfolio_id INTEGER NOT NULL REFERENCES portfolios(id) ON DELETE CASCADE,
    ext_id       TEXT    NOT NULL,
    venue        TEXT    NOT NULL,
    mode         TEXT    NOT NULL CHECK (mode IN ('cross', 'isolated')),
    wallet       REAL    NOT NULL,
    UNIQUE (portfolio_id, ext_id)
  );
  CREATE TABLE positions (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    ext_id     TEXT    NOT NULL,
    symbol     TEXT    NOT NULL,
    side       TEXT    NOT NULL CHECK (side IN ('long', 'short')),
    qty        REAL    NOT NULL CHECK (qty > 0),
    entry      REAL    NOT NULL CHECK (entry > 0),
    leverage   REAL,
    margin     REAL,
    opened_at  INTEGER,
    UNIQUE (account_id, ext_id)
  );
  CREATE TABLE runs (
    id             INTEGER PRIMARY KEY,
    kind           TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    dataset_id     INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
    portfolio_id   INTEGER REFERENCES portfolios(id) ON DELETE SET NULL,
    params_json    TEXT    NOT NULL,
    engine_version TEXT    NOT NULL,
    seed           INTEGER NOT NULL DEFAULT 0,
    summary_json   TEXT,
    series         BLOB,
    created_at     INTEGER NOT NULL
  );
  CREATE TABLE run_events (
    run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    time     INTEGER NOT NULL,
    kind     TEXT    NOT NULL,
    ref      TEXT,
    price    REAL,
    notional REAL,
    pnl      REAL,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;
  `,
  // 2: run events carry side, count (aggregated book events) and detail; lending positions carry debt.
  `
  ALTER TABLE positions ADD COLUMN debt REAL;
  ALTER TABLE run_events ADD COLUMN side TEXT CHECK (side IN ('long', 'short'));
  ALTER TABLE run_events ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE run_events ADD COLUMN detail TEXT;
  CREATE INDEX run_events_time ON run_events(run_id, time);
  `,
  // 3: market data: a user-given dataset name, gap counts, and candle blocks (the columnar
  // read-side copy of a dataset's candles used by resampling and the crash finder; rebuilt
  // from the candles table whenever they disagree).
  `
  ALTER TABLE datasets ADD COLUMN name TEXT;
  ALTER TABLE datasets ADD COLUMN gaps INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE datasets ADD COLUMN missing_bars INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE candle_blocks (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    first_time INTEGER NOT NULL,
    rows       INTEGER NOT NULL CHECK (rows > 0),
    data       BLOB    NOT NULL,
    PRIMARY KEY (dataset_id, first_time)
  );
  `,
  // 4: run events carry the cascade round within their bar (null: outside a round, or stored before).
  `
  ALTER TABLE run_events ADD COLUMN round INTEGER;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
