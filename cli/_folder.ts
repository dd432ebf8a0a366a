// Copyright 2026 the moonwire authors. MIT license.
// A folder served read-only over CTTP by `cnet host`. Every request is
// resolved to a real path (symlinks followed) that must stay inside the
// folder's real path; `..`, `.`, hidden names and the node's secrets
// (private keys, user tables) are refused whatever the folder.
import { join, sep } from "node:path";
import { CttpResponse, CttpStatus, type LuaValue } from "../cnet/mod.ts";

const SECRET = /(_private\.key|_users\.tbl)$/;
const decoder = new TextDecoder("utf-8", { fatal: true });

/** One entry of a directory listing. */
export interface FolderEntry {
  name: string;
  type: "file" | "directory";
  size: number;
}

function refused(name: string): boolean {
  return name === "." || name === ".." || name.startsWith(".") ||
    /[\\\0]/.test(name) || SECRET.test(name);
}

/** Answers GET requests from a folder. */
export class FolderServer {
  readonly #root: string;
  readonly #maxFileSize: number;

  /**
   * @param root The folder's real path (`Deno.realPath`).
   * @param maxFileSize Largest file served; bigger ones get 507.
   */
  constructor(root: string, maxFileSize: number) {
    this.#root = root;
    this.#maxFileSize = maxFileSize;
  }

  /** The response to a GET of the path `segments`. */
  async get(segments: string[]): Promise<CttpResponse> {
    if (segments.some(refused)) {
      return new CttpResponse(CttpStatus.FORBIDDEN, {}, "path refused");
    }
    let real: string;
    try {
      real = await Deno.realPath(join(this.#root, ...segments));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        return new CttpResponse(CttpStatus.NOT_FOUND, {}, "no such file");
      }
      throw error;
    }
    if (!this.#inside(real)) {
      return new CttpResponse(
        CttpStatus.FORBIDDEN,
        {},
        "path outside the folder",
      );
    }
    const info = await Deno.stat(real);
    if (info.isDirectory) return this.#list(real);
    if (!info.isFile) {
      return new CttpResponse(CttpStatus.FORBIDDEN, {}, "not a regular file");
    }
    if (info.size > this.#maxFileSize) {
      return new CttpResponse(
        CttpStatus.INSUFFICIENT_STORAGE,
        {},
        `file is ${info.size} bytes, limit ${this.#maxFileSize}`,
      );
    }
    const bytes = await Deno.readFile(real);
    let data: LuaValue;
    try {
      data = decoder.decode(bytes);
    } catch {
      data = bytes;
    }
    return new CttpResponse(CttpStatus.OK, {}, data);
  }

  #inside(real: string): boolean {
    return real === this.#root || real.startsWith(this.#root + sep);
  }

  async #list(directory: string): Promise<CttpResponse> {
    const entries: FolderEntry[] = [];
    for await (const entry of Deno.readDir(directory)) {
      if (refused(entry.name)) continue;
      const path = join(directory, entry.name);
      const real = await Deno.realPath(path).catch(() => undefined);
      // Dangling links and links out of the folder are not listed.
      if (real === undefined || !this.#inside(real)) continue;
      const info = await Deno.stat(real);
      if (!(info.isFile || info.isDirectory)) continue;
      entries.push({
        name: entry.name,
        type: info.isDirectory ? "directory" : "file",
        size: info.isDirectory ? 0 : info.size,
      });
    }
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    return new CttpResponse(CttpStatus.OK, {}, {
      entries: entries as unknown as LuaValue,
    });
  }
}
