import { createHash } from 'node:crypto';

// Idempotent writes store a digest of what their request asked for, so that a replay (same number,
// same content) can be told from a reuse of the number for something else. The digest is stored in
// the database: its canonical form must never change.

/** A key-order-independent SHA-256 (hex) of `value`; undefined members are left out. */
export function requestDigest(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex');
}

// The canonical text, written out with an explicit stack rather than by recursion, so that no value,
// however deeply nested, can exhaust the call stack. Each stack entry is either a value still to write
// or literal text (a separator, a key, a closing bracket) to emit when it is reached.
type Step = { value: unknown } | { text: string };

function canonical(root: unknown): string {
  const parts: string[] = [];
  const stack: Step[] = [{ value: root }];
  for (let step = stack.pop(); step; step = stack.pop()) {
    if ('text' in step) {
      parts.push(step.text);
      continue;
    }
    const v = step.value;
    if (Array.isArray(v)) {
      parts.push('[');
      stack.push({ text: ']' });
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ value: v[i] });
        if (i > 0) stack.push({ text: ',' });
      }
    } else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o)
        .sort()
        .filter((k) => o[k] !== undefined);
      parts.push('{');
      stack.push({ text: '}' });
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i] as string;
        stack.push({ value: o[k] });
        stack.push({ text: `${i > 0 ? ',' : ''}${JSON.stringify(k)}:` });
      }
    } else if (typeof v === 'bigint') {
      parts.push(String(v));
    } else {
      // JSON.stringify gives undefined for undefined (an array entry), which joins as nothing.
      parts.push(JSON.stringify(v) ?? '');
    }
  }
  return parts.join('');
}
