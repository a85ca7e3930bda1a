/** Whether `ip` is a loopback, private, link-local or otherwise non-public address (IPv4-mapped IPv6 as IPv4). */
export declare function isPrivateAddress(ip: string): boolean;
/**
 * Why `url` is not a webhook target, for an admin to read, or null when it is one. With `allowPrivate`, plain HTTP and
 * private names and addresses pass (a receiver on the admin's own machine).
 */
export declare function targetProblem(url: string, allowPrivate: boolean): string | null;
