/** A plain-text table: a header, a rule, and rows; text columns left-aligned, numbers right-aligned. */
export interface Column<R> {
  header: string;
  value: (row: R) => string | number | null | undefined;
  /** Fraction digits for numbers (default 0). */
  digits?: number;
}

const format = (value: string | number | null | undefined, digits: number): string => {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};

export const formatTable = <R>(columns: Column<R>[], rows: R[]): string => {
  const cells = rows.map((row) =>
    columns.map((column) => {
      const value = column.value(row);
      return { text: format(value, column.digits ?? 0), right: typeof value === 'number' || value === null || value === undefined };
    }),
  );
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((row) => row[i]!.text.length)));
  const line = (parts: { text: string; right: boolean }[]) =>
    parts
      .map((part, i) => (part.right ? part.text.padStart(widths[i]!) : part.text.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const header = line(columns.map((column, i) => ({ text: column.header, right: i > 0 })));
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [header, rule, ...cells.map(line)].join('\n');
};
