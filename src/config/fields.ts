/**
 * The building blocks of the configuration table: a field describes one setting once (type, default,
 * range, one-line meaning, which models use it), and knows how to parse and print itself. The UI form,
 * the URL hash codec, the CLI flags and validation are all derived from these descriptions.
 */
import { err, ok, type Result } from '../lib/result';

export type ModelName = 'melu' | 'mamo' | 'melo' | 'mml';
export type FieldGroup = 'experiment' | 'data' | 'model' | 'training' | 'memory' | 'evaluation';

interface FieldBase<T> {
  readonly group: FieldGroup;
  /** Short label for forms and tables. */
  readonly label: string;
  /** One line: what the setting means, with the paper symbol if any. */
  readonly help: string;
  readonly defaultValue: T;
  /** Models this setting applies to; absent = all. */
  readonly models?: readonly ModelName[];
}

export interface NumberField extends FieldBase<number> {
  readonly kind: 'number';
  readonly min: number;
  readonly max: number;
  /** Integers only. */
  readonly integer: boolean;
  /** Log-scale slider in the UI (learning rates). */
  readonly log?: boolean;
}

export interface EnumField<T extends string = string> extends FieldBase<T> {
  readonly kind: 'enum';
  readonly options: readonly T[];
  /** Human labels for the options, same order. */
  readonly optionLabels?: readonly string[];
}

export interface BooleanField extends FieldBase<boolean> {
  readonly kind: 'boolean';
}

export type Field = NumberField | EnumField | BooleanField;

export function numberField(
  spec: Omit<NumberField, 'kind' | 'integer'> & { integer?: boolean },
): NumberField {
  return { kind: 'number', integer: false, ...spec };
}

export function intField(spec: Omit<NumberField, 'kind' | 'integer'>): NumberField {
  return { kind: 'number', ...spec, integer: true };
}

export function enumField<const T extends string>(spec: Omit<EnumField<T>, 'kind'>): EnumField<T> {
  return { kind: 'enum', ...spec };
}

export function booleanField(spec: Omit<BooleanField, 'kind'>): BooleanField {
  return { kind: 'boolean', ...spec };
}

/** Parses a text value (URL, CLI) for a field: a value, or a sentence saying what was expected. */
export function parseFieldValue(
  name: string,
  field: Field,
  text: string,
): Result<number | string | boolean, string> {
  switch (field.kind) {
    case 'number': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value))
        return err(`Expected a number for ${name}, got "${text}"`);
      if (field.integer && !Number.isInteger(value))
        return err(`Expected an integer for ${name}, got ${text}`);
      if (value < field.min || value > field.max) {
        return err(`Expected ${name} in ${field.min}..${field.max}, got ${text}`);
      }
      return ok(value);
    }
    case 'enum':
      return field.options.includes(text)
        ? ok(text)
        : err(`Expected ${name} to be one of ${field.options.join(', ')}, got "${text}"`);
    case 'boolean':
      if (text === 'true' || text === '1') return ok(true);
      if (text === 'false' || text === '0') return ok(false);
      return err(`Expected ${name} to be true or false, got "${text}"`);
  }
}

/** Checks an already-typed value against a field (used when a whole config object arrives). */
export function checkFieldValue(
  name: string,
  field: Field,
  value: unknown,
): Result<number | string | boolean, string> {
  if (field.kind === 'number' && typeof value === 'number')
    return parseFieldValue(name, field, String(value));
  if (field.kind === 'enum' && typeof value === 'string') return parseFieldValue(name, field, value);
  if (field.kind === 'boolean' && typeof value === 'boolean') return ok(value);
  return err(`Expected ${name} to be a ${field.kind}, got ${JSON.stringify(value)}`);
}

/** Prints a value for URLs and CLI flags (shortest exact form). */
export function formatFieldValue(value: number | string | boolean): string {
  return String(value);
}
