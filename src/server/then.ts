/**
 * `f(v)` now when `v` is a value, after it settles when it is a promise. The request path's steps
 * (the prefix cache's answer, the engine's admission) are promises only in cluster mode or with the
 * engine model; an `await` on a plain value still costs a promise, a suspended frame and a microtask
 * hop per step, young garbage that every request of a burst adds while all of them are alive.
 */
export function andThen<T, U>(v: T | Promise<T>, f: (value: T) => U | Promise<U>): U | Promise<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}
