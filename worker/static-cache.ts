// How long a browser may keep each file of the built client. The build (client/web/build.ts) names every script,
// chunk, stylesheet and icon by its content, under /assets/: such a name always means the same bytes, so it is kept
// a year and never asked for again. The pages keep their names (/, /j/CODE, /console): each visit asks again, and an
// unchanged page costs a 304 through its ETag, so a new version's page, naming its new files, is seen at once.

/** A file named by its content: /assets/…/NAME-HASH.EXT, HASH being 8 characters of base32 (esbuild's [hash]). */
const CONTENT_NAMED = /^\/assets\/(?:[\w-]+\/)*[\w-]+-[A-Z2-7]{8}\.[a-z0-9]+$/;

/** For a content-named file: a year, and no revalidation while it lasts. */
export const IMMUTABLE = "public, max-age=31536000, immutable";
/** For a page: kept, but checked with the server (If-None-Match) before each use. */
export const REVALIDATE = "no-cache";

/** The Cache-Control of the client's file at `path`. */
export function cacheControlFor(path: string): string {
  return CONTENT_NAMED.test(path) ? IMMUTABLE : REVALIDATE;
}

/** `response` (a file of the built client at `path`, answered by a host) with its Cache-Control; errors and redirects
 * keep theirs. */
export function withCacheControl(path: string, response: Response): Response {
  if (response.status === 200 || response.status === 304) response.headers.set("Cache-Control", cacheControlFor(path));
  return response;
}
