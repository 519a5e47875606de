/**
 * A forgiving reader for object literals found in logs: JSON, Python dict reprs (single quotes, True/None)
 * and Node's util.inspect output (bare keys). It never throws and stops quietly at the first thing it does
 * not understand or at the window's end, returning what it read so far — so truncated bodies still yield
 * their leading keys. Work is bounded by the window; nesting is bounded by MAX_DEPTH.
 */
export type Loose = string | number | boolean | null | LooseObject | Loose[];
export interface LooseObject {
  [key: string]: Loose;
}

const MAX_DEPTH = 24;
const LITERALS: Record<string, Loose> = {
  true: true, false: false, null: null, True: true, False: false, None: null, undefined: null,
};

/** Parses the object starting at `text[start] === '{'`; reads no further than `end`. */
export function parseObjectAt(text: string, start: number, end: number): { value: LooseObject; end: number } | undefined {
  const r = new Reader(text, start, Math.min(end, text.length));
  const v = r.value(0);
  return v && typeof v === 'object' && !Array.isArray(v) ? { value: v, end: r.i } : undefined;
}

class Reader {
  /** Set once anything unexpected is met; every caller then unwinds with what it has. */
  private stopped = false;

  constructor(private readonly s: string, public i: number, private readonly end: number) {}

  value(depth: number): Loose | undefined {
    this.ws();
    if (this.i >= this.end || this.stopped) return undefined;
    const c = this.s[this.i];
    if (c === '{') return depth >= MAX_DEPTH ? this.stop() : this.object(depth + 1);
    if (c === '[') return depth >= MAX_DEPTH ? this.stop() : this.array(depth + 1);
    if (c === '"' || c === "'") return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    const word = this.word();
    if (word !== undefined && Object.prototype.hasOwnProperty.call(LITERALS, word)) return LITERALS[word];
    return this.stop();
  }

  private object(depth: number): LooseObject {
    const out: LooseObject = Object.create(null);
    this.members('}', () => {
      const key = this.s[this.i] === '"' || this.s[this.i] === "'" ? this.string() : this.word();
      this.ws();
      if (key === undefined || this.s[this.i] !== ':') {
        this.stop();
        return false;
      }
      this.i++;
      const v = this.value(depth);
      if (v !== undefined) out[key] = v;
      return true;
    });
    return out;
  }

  private array(depth: number): Loose[] {
    const out: Loose[] = [];
    this.members(']', () => {
      const v = this.value(depth);
      if (v !== undefined) out.push(v);
      return v !== undefined;
    });
    return out;
  }

  /**
   * The members of an object or array, from its opening bracket to `close`: `member` reads one (false: read no
   * further), then a comma or `close` must follow. A truncated or broken container keeps what was read.
   */
  private members(close: '}' | ']', member: () => boolean): void {
    this.i++;
    while (!this.stopped) {
      this.ws();
      if (this.i >= this.end) break;
      if (this.s[this.i] === close) {
        this.i++;
        break;
      }
      if (!member()) break;
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) this.stop();
    }
  }

  /** A quoted string; an unterminated one runs to the window's end (truncated input). */
  private string(): string {
    const q = this.s[this.i++];
    let out = '';
    let from = this.i;
    while (this.i < this.end) {
      const c = this.s[this.i];
      if (c === q) {
        out += this.s.slice(from, this.i++);
        return out;
      }
      if (c === '\\' && this.i + 1 < this.end) {
        out += this.s.slice(from, this.i) + this.escape(this.s[this.i + 1]);
        this.i += 2;
        from = this.i;
        continue;
      }
      this.i++;
    }
    this.stopped = true;
    return out + this.s.slice(from, this.end);
  }

  private escape(c: string): string {
    if (c === 'n') return '\n';
    if (c === 't') return '\t';
    if (c === 'r') return '\r';
    if (c === 'u' && /^[0-9a-fA-F]{4}$/.test(this.s.slice(this.i + 2, this.i + 6))) {
      const ch = String.fromCharCode(parseInt(this.s.slice(this.i + 2, this.i + 6), 16));
      this.i += 4;
      return ch;
    }
    return c;
  }

  private number(): number | undefined {
    const m = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.i;
    const hit = m.exec(this.s);
    if (!hit || hit.index + hit[0].length > this.end) return this.stop();
    this.i += hit[0].length;
    return Number(hit[0]);
  }

  private word(): string | undefined {
    const start = this.i;
    while (this.i < this.end && /[\w$]/.test(this.s[this.i])) this.i++;
    return this.i > start ? this.s.slice(start, this.i) : undefined;
  }

  private ws(): void {
    while (this.i < this.end && /\s/.test(this.s[this.i])) this.i++;
  }

  private stop(): undefined {
    this.stopped = true;
    return undefined;
  }
}
