// One source position of an address: a function, its file and line. A lookup gives a list of them,
// innermost (inlined) first, outermost (the real function) last. Unknown parts are null.
// (The DWARF reader in ./dwarf/ will own this type; until then it lives here.)
export interface SourceLocation {
  function: string | null;
  file: string | null;
  line: number | null;
  column: number | null;
}
