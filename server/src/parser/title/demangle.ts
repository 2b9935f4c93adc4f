// Demangling of the Rust and C++ function names a stack may print, the way syzkaller's titles show
// them (its demangler with parameters left out): Rust v0 `_RNvNtCs1a_6kernel5print11call_printk` and
// legacy Rust `_ZN6kernel5print11call_printk17h0123456789abcdefE` both become
// `kernel::print::call_printk`, Itanium C++ `_ZN3foo3barEv` becomes `foo::bar`.
//
// Written here rather than taken from a package: the one maintained demangler package for both
// languages wraps rustc-demangle and cpp_demangle in half a megabyte of WebAssembly that has to be
// loaded asynchronously (the parser is synchronous and bundled), and prints C++ parameters that
// titles leave out. Kernel stacks need much less: Rust v0 in full (kernel Rust has used it since
// 6.1; punycode identifiers and the newer structured constants aside), legacy Rust, and C++ names
// made of plain identifiers, constructors and destructors. A name outside that subset, or not
// mangled at all, comes back as it was printed, as with syzkaller's demangler on an error.

/** Output longer than this means a malformed name (backreferences in a loop of sorts): give up. */
const MAX_OUTPUT = 1024;
/** How deep backreferences and nested types may go. */
const MAX_DEPTH = 100;

class Malformed extends Error {}

/** The readable name of a Rust or C++ symbol, or `name` itself when it is none (or is malformed). */
export function demangle(name: string): string {
  // Cheap test first: almost every kernel function is plain C.
  if (name.charCodeAt(0) !== 95 /* _ */) return name;
  const second = name.charCodeAt(1);
  try {
    if (second === 82 /* R */) return demangleRustV0(name);
    if (second === 90 /* Z */) return demangleLegacyRust(name) ?? demangleItanium(name);
  } catch (e) {
    if (!(e instanceof Malformed)) throw e;
  }
  return name;
}

/** Whether the name may be mangled (so that callers can skip demangle() for the rest). */
export function mayBeMangled(name: string): boolean {
  return name.charCodeAt(0) === 95 /* _ */ && (name.charCodeAt(1) === 82 /* R */ || name.charCodeAt(1) === 90) /* Z */;
}

// ---------------------------------------------------------------------------------------------
// Rust v0 (RFC 2603): `_R` <path> [<instantiating-crate>], printed as rustc-demangle's `{:#}` does
// (no crate hashes).

const RUST_BASIC_TYPES: Record<string, string> = {
  a: 'i8',
  b: 'bool',
  c: 'char',
  d: 'f64',
  e: 'str',
  f: 'f32',
  h: 'u8',
  i: 'isize',
  j: 'usize',
  l: 'i32',
  m: 'u32',
  n: 'i128',
  o: 'u128',
  p: '_',
  s: 'i16',
  t: 'u16',
  u: '()',
  v: '...',
  x: 'i64',
  y: 'u64',
  z: '!',
};

class RustV0 {
  private pos = 0;
  private out = '';
  /** While > 0, parsing goes on but nothing is printed (impl paths, the instantiating crate). */
  private silent = 0;
  private depth = 0;
  /** Lifetimes bound by the enclosing `for<...>` binders. */
  private boundLifetimes = 0;

  /** `s` is the symbol without `_R`; backreferences count from its start. */
  constructor(private readonly s: string) {}

  run(): string {
    if (this.isDigit(this.peek())) throw new Malformed(); // an encoding version we do not know
    this.path(true);
    if (this.pos < this.s.length) {
      this.silent++;
      this.path(false); // the instantiating crate
      this.silent--;
    }
    if (this.pos !== this.s.length) throw new Malformed();
    return this.out;
  }

  private peek(): string {
    return this.s[this.pos] ?? '';
  }

  private next(): string {
    if (this.pos >= this.s.length) throw new Malformed();
    return this.s[this.pos++];
  }

  private eat(c: string): boolean {
    if (this.s[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  private expect(c: string): void {
    if (!this.eat(c)) throw new Malformed();
  }

  private isDigit(c: string): boolean {
    return c >= '0' && c <= '9';
  }

  private print(text: string): void {
    if (this.silent > 0) return;
    this.out += text;
    if (this.out.length > MAX_OUTPUT) throw new Malformed();
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new Malformed();
  }

  /** `{0-9a-zA-Z} _`: `_` alone is 0, otherwise the number + 1. */
  private base62(): number {
    if (this.eat('_')) return 0;
    let value = 0;
    for (;;) {
      const c = this.next();
      if (c === '_') return value + 1;
      let digit: number;
      if (c >= '0' && c <= '9') digit = c.charCodeAt(0) - 48;
      else if (c >= 'a' && c <= 'z') digit = c.charCodeAt(0) - 97 + 10;
      else if (c >= 'A' && c <= 'Z') digit = c.charCodeAt(0) - 65 + 36;
      else throw new Malformed();
      // Crate hashes are 64-bit and lose precision here; only small numbers (backreferences,
      // closure numbers) are used.
      value = value * 62 + digit;
    }
  }

  /** `0` or a number with no leading zero. */
  private decimal(): number {
    const start = this.pos;
    if (this.eat('0')) return 0;
    while (this.isDigit(this.peek())) this.pos++;
    if (this.pos === start || this.pos - start > 9) throw new Malformed();
    return Number(this.s.slice(start, this.pos));
  }

  /** `[s <base-62-number>]`: 0 when absent. */
  private disambiguator(): number {
    return this.eat('s') ? this.base62() + 1 : 0;
  }

  /** `["u"] <decimal-number> ["_"] <bytes>` */
  private identifier(): string {
    if (this.peek() === 'u') throw new Malformed(); // punycode: not in kernel code
    const length = this.decimal();
    this.eat('_');
    if (this.pos + length > this.s.length) throw new Malformed();
    const id = this.s.slice(this.pos, this.pos + length);
    if (!/^[A-Za-z0-9_]*$/.test(id)) throw new Malformed();
    this.pos += length;
    return id;
  }

  /** Runs `parse` at the position a backreference names, then comes back. */
  private backref(parse: () => void): void {
    const at = this.pos;
    this.expect('B');
    const target = this.base62();
    if (target >= at) throw new Malformed();
    if (this.silent > 0) return; // nothing to print: no need to read it again
    const resume = this.pos;
    this.pos = target;
    this.enter();
    parse();
    this.depth--;
    this.pos = resume;
  }

  /** `needsSeparator`: generic arguments of a value path print as `::<..>`, of a type as `<..>`. */
  private path(needsSeparator: boolean): void {
    this.enter();
    const c = this.next();
    switch (c) {
      case 'C':
        this.disambiguator();
        this.print(this.identifier());
        break;
      case 'M':
      case 'X':
        this.silent++;
        this.disambiguator();
        this.path(false); // the impl's own path is not printed
        this.silent--;
        this.print('<');
        this.type();
        if (c === 'X') {
          this.print(' as ');
          this.path(false);
        }
        this.print('>');
        break;
      case 'Y':
        this.print('<');
        this.type();
        this.print(' as ');
        this.path(false);
        this.print('>');
        break;
      case 'N': {
        const ns = this.next();
        if (!/^[A-Za-z]$/.test(ns)) throw new Malformed();
        this.path(needsSeparator);
        const dis = this.disambiguator();
        const id = this.identifier();
        if (ns >= 'a' && ns <= 'z') this.print('::' + id);
        else {
          // Special namespaces: closures, shims and the like.
          const what = ns === 'C' ? 'closure' : ns === 'S' ? 'shim' : ns;
          this.print(`::{${what}${id ? ':' + id : ''}#${dis}}`);
        }
        break;
      }
      case 'I':
        this.path(needsSeparator);
        this.print(needsSeparator ? '::<' : '<');
        this.list('E', ', ', () => this.genericArg());
        this.print('>');
        break;
      case 'B':
        this.pos--;
        this.backref(() => this.path(needsSeparator));
        break;
      default:
        throw new Malformed();
    }
    this.depth--;
  }

  /** Items up to `end` (consumed), printed with `separator` between them; returns how many. */
  private list(end: string, separator: string, item: () => void): number {
    let n = 0;
    while (!this.eat(end)) {
      if (this.pos >= this.s.length) throw new Malformed();
      if (n++ > 0) this.print(separator);
      item();
    }
    return n;
  }

  private genericArg(): void {
    if (this.eat('L')) this.lifetime(this.base62());
    else if (this.eat('K')) this.constant();
    else this.type();
  }

  private lifetime(index: number): void {
    if (index === 0) {
      this.print("'_");
      return;
    }
    const depth = this.boundLifetimes - index;
    if (depth < 0) throw new Malformed();
    this.print(depth < 26 ? "'" + String.fromCharCode(97 + depth) : `'z${depth - 25}`);
  }

  /** `[G <base-62-number>]`: `for<'a, 'b> ` */
  private binder(): void {
    if (!this.eat('G')) return;
    const count = this.base62() + 1;
    if (count > this.s.length) throw new Malformed();
    this.print('for<');
    for (let i = 0; i < count; i++) {
      if (i > 0) this.print(', ');
      this.boundLifetimes++;
      this.lifetime(1);
    }
    this.print('> ');
  }

  private type(): void {
    this.enter();
    const c = this.peek();
    if (c >= 'a' && c <= 'z') {
      const basic = RUST_BASIC_TYPES[c];
      if (basic === undefined) throw new Malformed();
      this.pos++;
      this.print(basic);
    } else if ('CMXYNI'.includes(c) && c !== '') {
      this.path(false);
    } else if (c === 'B') {
      this.backref(() => this.type());
    } else {
      this.pos++;
      switch (c) {
        case 'A':
        case 'S':
          this.print('[');
          this.type();
          if (c === 'A') {
            this.print('; ');
            this.constant();
          }
          this.print(']');
          break;
        case 'T': {
          this.print('(');
          const n = this.list('E', ', ', () => this.type());
          this.print(n === 1 ? ',)' : ')');
          break;
        }
        case 'R':
        case 'Q':
          this.print('&');
          if (this.eat('L')) {
            const lt = this.base62();
            if (lt > 0) {
              this.lifetime(lt);
              this.print(' ');
            }
          }
          if (c === 'Q') this.print('mut ');
          this.type();
          break;
        case 'P':
          this.print('*const ');
          this.type();
          break;
        case 'O':
          this.print('*mut ');
          this.type();
          break;
        case 'F': {
          const bound = this.boundLifetimes;
          this.fnSig();
          this.boundLifetimes = bound;
          break;
        }
        case 'D': {
          const bound = this.boundLifetimes;
          this.print('dyn ');
          this.binder();
          this.list('E', ' + ', () => this.dynTrait());
          this.boundLifetimes = bound;
          this.expect('L');
          const lt = this.base62();
          if (lt > 0) {
            this.print(' + ');
            this.lifetime(lt);
          }
          break;
        }
        default:
          throw new Malformed();
      }
    }
    this.depth--;
  }

  /** `[<binder>] ["U"] ["K" <abi>] {<type>} "E" <type>` */
  private fnSig(): void {
    this.binder();
    if (this.eat('U')) this.print('unsafe ');
    if (this.eat('K')) {
      if (this.eat('C')) this.print('extern "C" ');
      else this.print(`extern "${this.identifier().replaceAll('_', '-')}" `);
    }
    this.print('fn(');
    this.list('E', ', ', () => this.type());
    this.print(')');
    if (this.eat('u')) return; // returns ()
    this.print(' -> ');
    this.type();
  }

  /** `<path> {"p" <undisambiguated-identifier> <type>}`: `Trait<Assoc = T>` */
  private dynTrait(): void {
    let open = this.pathOpenGenerics();
    while (this.eat('p')) {
      this.print(open ? ', ' : '<');
      open = true;
      this.print(this.identifier() + ' = ');
      this.type();
    }
    if (open) this.print('>');
  }

  /** A path whose generic arguments are left open for associated-type bindings; returns whether it had some. */
  private pathOpenGenerics(): boolean {
    if (this.eat('I')) {
      this.path(false);
      this.print('<');
      this.list('E', ', ', () => this.genericArg());
      return true;
    }
    if (this.peek() === 'B') {
      let open = false;
      this.backref(() => (open = this.pathOpenGenerics()));
      return open;
    }
    this.path(false);
    return false;
  }

  /** `<type> <const-data>` | `p` | <backref>: integers, bool and char (the others are not used in kernel code). */
  private constant(): void {
    if (this.peek() === 'B') {
      this.backref(() => this.constant());
      return;
    }
    const t = this.next();
    if (t === 'p') {
      this.print('_');
      return;
    }
    const signed = 'aslxni'.includes(t);
    if (!signed && !'htmyojbc'.includes(t)) throw new Malformed();
    const negative = signed && this.eat('n');
    const start = this.pos;
    while (/[0-9a-f]/.test(this.peek())) this.pos++;
    const hex = this.s.slice(start, this.pos);
    this.expect('_');
    if (hex === '') throw new Malformed();
    const value = BigInt('0x' + hex);
    if (t === 'b') {
      if (value > 1n) throw new Malformed();
      this.print(value === 1n ? 'true' : 'false');
    } else if (t === 'c') {
      if (value > 0x10ffffn) throw new Malformed();
      this.print(`'${charLiteral(Number(value))}'`);
    } else {
      this.print((negative ? '-' : '') + value.toString());
    }
  }
}

const CHAR_ESCAPES: Record<number, string> = { 9: '\\t', 10: '\\n', 13: '\\r', 39: "\\'", 92: '\\\\' };

/** A char as Rust writes it between quotes. */
function charLiteral(code: number): string {
  if (CHAR_ESCAPES[code] !== undefined) return CHAR_ESCAPES[code];
  const printable = (code >= 0x20 && code < 0x7f) || (code >= 0xa0 && (code < 0xd800 || code > 0xdfff));
  return printable ? String.fromCodePoint(code) : `\\u{${code.toString(16)}}`;
}

function demangleRustV0(name: string): string {
  const dot = name.indexOf('.');
  return new RustV0(dot < 0 ? name.slice(2) : name.slice(2, dot)).run();
}

// ---------------------------------------------------------------------------------------------
// Legacy Rust: an Itanium nested name `_ZN` {<length><identifier>} `17h` <16 hex digits> `E`, the
// identifiers with `$..$` escapes. The hash is left out, as the Rust tools leave it out.

const LEGACY_HASH = /17h[0-9a-f]{16}E$/;
const LEGACY_ESCAPES: Record<string, string> = { SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',' };

function demangleLegacyRust(name: string): string | null {
  if (!name.startsWith('_ZN')) return null;
  const suffix = name.lastIndexOf('E.'); // `.llvm.123` and the like
  if (suffix > 0) name = name.slice(0, suffix + 1);
  if (!LEGACY_HASH.test(name)) return null;
  const body = name.slice(3, name.length - 20);
  const parts: string[] = [];
  let pos = 0;
  while (pos < body.length) {
    const m = /^\d+/.exec(body.slice(pos, pos + 10));
    if (!m) return null;
    pos += m[0].length;
    const length = Number(m[0]);
    if (pos + length > body.length) return null;
    parts.push(unescapeLegacy(body.slice(pos, pos + length)));
    pos += length;
  }
  return parts.length > 0 ? parts.join('::') : null;
}

function unescapeLegacy(id: string): string {
  if (id.startsWith('_$')) id = id.slice(1);
  return id
    .replace(/\$(SP|BP|RF|LT|GT|LP|RP|C|u[0-9a-f]{2})\$/g, (_, code: string) =>
      code[0] === 'u' ? String.fromCharCode(parseInt(code.slice(1), 16)) : LEGACY_ESCAPES[code],
    )
    .replaceAll('..', '::');
}

// ---------------------------------------------------------------------------------------------
// Itanium C++, the function's name only (syzkaller leaves parameters out): `_Z` [L] <source-name>,
// `_Z` `N` [CV and ref qualifiers] {<component>} `E`, components being source names, `St` (std),
// substitutions of earlier components, constructors and destructors and ABI tags. Templates,
// operators, local names and the standard library's other abbreviations (`Ss`, `Sd` ...) are beyond
// this subset.

function demangleItanium(name: string): string {
  const s = name;
  let pos = 2;
  /** Prefixes seen so far, for `S_`, `S0_`, ... */
  const substitutions: string[] = [];

  const sourceName = (): string => {
    const m = /^\d+/.exec(s.slice(pos, pos + 10));
    if (!m || m[0][0] === '0') throw new Malformed();
    pos += m[0].length;
    const length = Number(m[0]);
    if (pos + length > s.length) throw new Malformed();
    const id = s.slice(pos, pos + length);
    pos += length;
    // GCC names anonymous namespaces `_GLOBAL__N_1`.
    return id.startsWith('_GLOBAL__N') ? '(anonymous namespace)' : id;
  };
  const abiTags = (): string => {
    let tags = '';
    while (s[pos] === 'B') {
      pos++;
      tags += `[abi:${sourceName()}]`;
    }
    return tags;
  };
  const substitution = (): string => {
    pos++; // S
    if (s[pos] === 't') {
      pos++;
      return 'std';
    }
    const end = s.indexOf('_', pos);
    if (end < 0 || !/^[0-9A-Z]*$/.test(s.slice(pos, end))) throw new Malformed();
    const index = end === pos ? 0 : parseInt(s.slice(pos, end), 36) + 1;
    pos = end + 1;
    const known = substitutions[index];
    if (known === undefined) throw new Malformed();
    return known;
  };

  if (s[pos] === 'N') {
    pos++;
    while (pos < s.length && 'rVKRO'.includes(s[pos])) pos++; // qualifiers of a member function
    let prefix = '';
    let last = '';
    for (;;) {
      const c = s[pos];
      if (c === undefined) throw new Malformed();
      if (c === 'E') {
        pos++;
        break;
      }
      let component: string;
      let isSubstitution = false;
      if (c === 'S') {
        component = substitution();
        isSubstitution = true;
      } else if (c >= '1' && c <= '9') {
        component = sourceName() + abiTags();
        last = component.replace(/\[abi:[^\]]*\]/g, '');
      } else if (c === 'C' && /^C[123]/.test(s.slice(pos, pos + 2)) && last !== '') {
        pos += 2;
        component = last + abiTags();
      } else if (c === 'D' && /^D[0125]/.test(s.slice(pos, pos + 2)) && last !== '') {
        pos += 2;
        component = '~' + last + abiTags();
      } else {
        throw new Malformed(); // templates, operators, local names ...
      }
      prefix = isSubstitution || prefix === '' ? component : `${prefix}::${component}`;
      if (isSubstitution) last = component.slice(component.lastIndexOf('::') + 2);
      else substitutions.push(prefix);
    }
    if (prefix === '') throw new Malformed();
    return prefix;
  }
  let unscoped = '';
  if (s.startsWith('St', pos)) {
    pos += 2;
    unscoped = 'std::';
  } else if (s[pos] === 'L') {
    pos++; // internal linkage
  }
  unscoped += sourceName() + abiTags();
  if (s[pos] === 'I') throw new Malformed(); // a function template
  return unscoped;
}
