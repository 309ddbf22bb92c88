"""The console: pages for the account managers and client owners who never open a terminal
(docs/console.md), served by `rules-engine serve` beside the API under /console.

Modules, from storage up:

- `db`: the accounts store, a SQLite file or a PostgreSQL database, migrated by `storage`.
- `accounts`: people, their roles (admin, account_manager, client) and Argon2id passwords.
- `sessions`: server-side sessions in HttpOnly, SameSite=Strict cookies, and CSRF tokens.
- `audit`: who did what and when; its CSV and JSON exports; the login rate limit reads it.
- `views`: what a page shows of a client, read from the engine that decides its calls.
- `web`: templates (autoescaped), who is asking, the CSRF check, the security headers.
- `pages`: the routes.
- `mount`: puts the console on the service's application (`rules-engine serve` calls it).

It needs the `console` extra (jinja2, argon2-cffi, python-multipart) and, for the pages, the
`service` extra; `rules-engine users` needs only the first (this file imports nothing, so that
`accounts` loads without the service). Machine tokens and the /v1 API are untouched by it.
"""
