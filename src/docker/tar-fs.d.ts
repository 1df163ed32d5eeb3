// Minimal typings for the part of tar-fs 2.x (a dockerode dependency) that buildContext uses.
declare module 'tar-fs' {
  import type { Readable } from 'node:stream';

  interface TarHeader {
    name: string;
    mode?: number;
    mtime?: Date;
    size?: number;
    type?: string;
    uid?: number;
    gid?: number;
    uname?: string;
    gname?: string;
    linkname?: string;
  }

  interface TarPack extends Readable {
    entry(header: TarHeader, content?: Buffer | string, callback?: (error?: Error) => void): unknown;
    finalize(): void;
  }

  interface PackOptions {
    entries?: string[];
    ignore?: (name: string) => boolean;
    map?: (header: TarHeader) => TarHeader;
    dereference?: boolean;
    finalize?: boolean;
    finish?: (pack: TarPack) => void;
    sort?: boolean;
    strict?: boolean;
  }

  export function pack(cwd: string, options?: PackOptions): TarPack;
}
