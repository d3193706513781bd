/**
 * Compile-time assertions for type tests (files compiled by `tsc --noEmit`, never run).
 * `type _ = Expect<Equal<A, B>>` fails to compile unless A and B are the same type
 * (`any` is equal only to `any`, `never` only to `never`, `T | null` is not `T`).
 */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when `T` is `true`. */
export type Expect<T extends true> = T;

/** True when `A` is assignable to `B`. */
export type Extends<A, B> = [A] extends [B] ? true : false;

/** True when `T` is `any`. */
export type IsAny<T> = 0 extends 1 & T ? true : false;
