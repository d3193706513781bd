import { ExecutionError } from "../../errors/errors.js";
import { StringType } from "../../types/data-type.js";
import type { ScalarFunctionDef } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { fn, row } from "./define.js";

/**
 * parse_url(url, part[, key]) and try_parse_url: a part of a URL as java.net.URI reads it (raw,
 * undecoded): HOST, PATH, QUERY (or one query parameter's value with `key`), REF, PROTOCOL, FILE,
 * AUTHORITY, USERINFO. An unknown part gives null; a malformed URL gives null, or an error with
 * ANSI mode on (try_parse_url: always null).
 */

interface Uri { scheme: string | null; authority: string | null; userInfo: string | null; host: string | null; path: string; query: string | null; fragment: string | null }

// RFC 2396 (java.net.URI): characters outside these are illegal anywhere in a URI (non-ASCII "other" characters are allowed).
const LEGAL = /^[A-Za-z0-9\-_.!~*'();/?:@&=+$,[\]%#\u0080-\uffff]*$/;

function parseUri(s: string): Uri | null {
  if (!LEGAL.test(s)) return null;
  if (/%(?![0-9A-Fa-f]{2})/.test(s)) return null;
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(s);
  if (!m) return null;
  const [, scheme, authority, path, query, fragment] = m;
  if (s.indexOf("#") !== s.lastIndexOf("#")) return null;
  if (scheme === undefined && s.startsWith(":")) return null;
  let userInfo: string | null = null, host: string | null = null;
  if (authority !== undefined && authority !== "") {
    const at = authority.lastIndexOf("@");
    userInfo = at >= 0 ? authority.slice(0, at) : null;
    const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
    const hm = /^(\[[0-9A-Fa-f:.]+\]|[^:]+)(?::(\d*))?$/.exec(hostPort);
    // A registry-based authority (e.g. with '_') has no host, as in java.net.URI.
    host = hm && isServerHost(hm[1]!) ? hm[1]! : null;
  }
  return {
    scheme: scheme ?? null,
    authority: authority === undefined || authority === "" ? null : authority,
    userInfo, host, path: path ?? "", query: query ?? null, fragment: fragment ?? null,
  };
}

/** java.net.URI's server host: an IPv6 reference, an IPv4 address, or domain labels whose last one starts with a letter. */
function isServerHost(h: string): boolean {
  if (h.startsWith("[")) return true;
  const ip = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (ip) return ip.slice(1).every((x) => Number(x) <= 255);
  const labels = h.replace(/\.$/, "").split(".");
  return labels.every((l) => /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(l)) && /^[A-Za-z]/.test(labels[labels.length - 1]!);
}

function extract(u: Uri, part: string, key?: string): string | null {
  switch (part) {
    case "HOST": return u.host;
    case "PATH": return u.path;
    case "QUERY": {
      if (key === undefined) return u.query;
      if (u.query === null) return null;
      const re = new RegExp("(&|^)" + key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "=([^&]*)");
      return re.exec(u.query)?.[2] ?? null;
    }
    case "REF": return u.fragment;
    case "PROTOCOL": return u.scheme;
    case "FILE": return u.query !== null ? `${u.path}?${u.query}` : u.path;
    case "AUTHORITY": return u.authority;
    case "USERINFO": return u.userInfo;
    default: return null;
  }
}

function parseUrlDef(name: string, tolerant: boolean): ScalarFunctionDef {
  return fn({
    name, args: [StringType, StringType, StringType], optional: 1, result: StringType,
    doc: `${name}(url, partToExtract[, key]) - A part of url: HOST, PATH, QUERY, REF, PROTOCOL, FILE, AUTHORITY or USERINFO (QUERY with key: that parameter's value).`,
    impl: (_s, ctx) => row((url: string, part: string, key?: string) => {
      const u = parseUri(url);
      if (!u) {
        if (ctx.ansi && !tolerant) throw new ExecutionError("INVALID_URL", `[INVALID_URL] The url is invalid: ${url}. Use \`try_parse_url\` to tolerate invalid URL and return NULL instead.`);
        return null;
      }
      return extract(u, part, key);
    }),
  });
}

export const PARSE_URL_FUNCTIONS: readonly ScalarFunctionDef[] = [parseUrlDef("parse_url", false), parseUrlDef("try_parse_url", true)];

registerFunctions(PARSE_URL_FUNCTIONS);
