import { describe, expect, it } from "vitest";
import { localDatabaseId, localObjectId } from "../../worker/cli/local-d1.ts";

describe("npm start's local D1 file", () => {
  it("names the database's object as workerd does (the file wrangler dev created for the zero id)", () => {
    expect(localObjectId("miniflare-D1DatabaseObject", "00000000-0000-0000-0000-000000000000")).toBe(
      "9ba2b04bf514d9facfd57ed57d849e77241a7adc99d1c1545d06688b43d84248",
    );
    expect(localObjectId("miniflare-D1DatabaseObject", "00000000-0000-0000-0000-000000000001")).not.toBe(
      "9ba2b04bf514d9facfd57ed57d849e77241a7adc99d1c1545d06688b43d84248",
    );
  });

  it("reads the binding's preview_database_id, else its database_id, from wrangler.toml", () => {
    const toml = `name = "x"
[[d1_databases]]
binding = "OTHER"
database_id = "other-id"

[[d1_databases]]
binding = "DB"
database_name = "tether"
database_id = "real-id"

[[durable_objects.bindings]]
name = "ROOM"
database_id = "not-this-one"
`;
    expect(localDatabaseId(toml)).toBe("real-id");
    expect(
      localDatabaseId(
        toml.replace('database_id = "real-id"', 'preview_database_id = "preview-id"\ndatabase_id = "real-id"'),
      ),
    ).toBe("preview-id");
    expect(() => localDatabaseId('name = "x"\n')).toThrow(/binding = "DB"/);
  });
});
