/** `fast-check` as mmcheck resolves it, for model files outside the package (see bin/user-model.tsconfig.json). */
export * from '#dep/fast-check';
export { default } from '#dep/fast-check';
