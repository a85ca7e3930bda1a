import { createHash, createHmac } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";

// `wrangler dev` keeps the local D1 database in one SQLite file of its state folder, named by the Durable Object id
// that workerd derives from the database's id. `npm start` opens that file directly (before the runtime starts) to
// apply the migrations and mint the first enrolment link in milliseconds, instead of loading wrangler twice more.

/** The id workerd gives the object named `name` of a local namespace: HMAC-SHA256 under SHA-256(namespace), twice. */
export function localObjectId(namespace: string, name: string): string {
  const key = createHash("sha256").update(namespace).digest();
  const head = createHmac("sha256", key).update(name).digest().subarray(0, 16);
  const tail = createHmac("sha256", key).update(head).digest().subarray(0, 16);
  return Buffer.concat([head, tail]).toString("hex");
}

/** The id `wrangler dev` uses for the D1 binding `binding` in wrangler.toml (preview_database_id, else database_id). */
export function localDatabaseId(wranglerToml: string, binding = "DB"): string {
  for (const block of wranglerToml.split(/^\[\[d1_databases\]\]\s*$/m).slice(1)) {
    const table = block.split(/^\[/m)[0] ?? "";
    const field = (key: string) => table.match(new RegExp(`^${key}\\s*=\\s*"([^"]+)"`, "m"))?.[1];
    if (field("binding") === binding) {
      const id = field("preview_database_id") ?? field("database_id");
      if (id) return id;
    }
  }
  throw new Error(`wrangler.toml has no [[d1_databases]] entry with binding = "${binding}" and a database_id`);
}

/** Opens (creating it if need be) the local D1 database that `wrangler dev --persist-to stateDir` will serve. */
export function openLocalD1(root: string, stateDir: string): DatabaseSync {
  const id = localDatabaseId(readFileSync(path.join(root, "wrangler.toml"), "utf8"));
  const dir = path.join(stateDir, "v3/d1/miniflare-D1DatabaseObject");
  mkdirSync(dir, { recursive: true });
  return new DatabaseSync(path.join(dir, `${localObjectId("miniflare-D1DatabaseObject", id)}.sqlite`), {
    enableForeignKeyConstraints: true,
  });
}
