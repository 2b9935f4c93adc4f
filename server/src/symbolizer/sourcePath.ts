// Source paths from debug info made relative to the kernel source tree. Distro kernels are built in
// directories that exist only on the build machine (Debian's `debian/build/build_amd64_none_amd64/`,
// `/build/reproducible-path/linux-6.1.192/`, Fedora's `/usr/src/kernels/<ver>/`), so a DWARF path must
// lose that prefix before it can be opened in the user's checkout. One table of rules, tried in order:
// known build directories, then compiler and system headers (kept), then for any other absolute path
// everything before the first top-level kernel directory. Out-of-tree module paths (no kernel
// directory in them) are left as they are.

/** The top-level directories of a kernel source tree. */
const KERNEL_DIRS = [
  'arch',
  'block',
  'certs',
  'crypto',
  'drivers',
  'fs',
  'include',
  'init',
  'io_uring',
  'ipc',
  'kernel',
  'lib',
  'mm',
  'net',
  'rust',
  'samples',
  'scripts',
  'security',
  'sound',
  'tools',
  'usr',
  'virt',
];

/** Each rule matches at the start of the path; `strip` false keeps the path whole. First match wins. */
const RULES: readonly { match: RegExp; strip: boolean }[] = [
  // Debian's out-of-tree build dir (dir 0 of the line tables), relative or under an absolute root.
  { match: /^(?:.*\/)?debian\/build\/build_[^/]+_[^/]+_[^/]+\//, strip: true },
  { match: /^\/build\/reproducible-path\/linux-[^/]+\//, strip: true },
  { match: /^\/build\/linux-[^/]+\//, strip: true },
  { match: /^\/usr\/src\/linux-[^/]+\//, strip: true },
  { match: /^\/usr\/src\/kernels\/[^/]+\//, strip: true },
  // gcc's own headers (stdarg.h, stddef.h) and system headers are not in the kernel tree.
  { match: /^\/usr\/(?:lib|lib64|libexec|include|local\/include|share)\//, strip: false },
  // Any other absolute prefix up to the first kernel directory (at least one directory before it).
  { match: new RegExp(`^/(?:[^/]+/)+?(?=(?:${KERNEL_DIRS.join('|')})/)`), strip: true },
];

export function stripBuildPrefix(path: string): { relative: string; stripped: string | null } {
  const normal = path.replace(/\/{2,}/g, '/').replace(/\/(?:\.\/)+/g, '/');
  for (const rule of RULES) {
    const m = rule.match.exec(normal);
    if (!m) continue;
    return rule.strip ? { relative: normal.slice(m[0].length), stripped: m[0] } : { relative: path, stripped: null };
  }
  return { relative: path, stripped: null };
}
