// The benchmarks' options: positive integers from the environment, with their defaults.

/** The environment variable `name` as a positive integer, or `fallback` when it is unset. */
export function intEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}
