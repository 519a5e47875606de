import type { Source } from './finding';

/** One error spotted in the text, before it is turned into a Finding. */
export interface Hit {
  /** Offset in the scanned text; orders findings and pairs bodies with the HTTP status line before them. */
  pos: number;
  source: Source;
  code: string | number | null;
  message?: string;
  details?: Record<string, string>;
  /** A response body (JSON or HTML) that takes its HTTP status from a preceding status line. */
  takesStatus?: boolean;
  /** Status found inside the hit itself (e.g. an HTML page's title). */
  status?: number;
  /** Derived from prose rather than an explicit code: dropped when an explicit network code is present. */
  weak?: boolean;
}
