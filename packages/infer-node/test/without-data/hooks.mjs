// Module resolution hooks that make @conv3d/data unresolvable, as in an app that installed @conv3d/infer-node alone.
export async function resolve(specifier, context, next) {
  if (specifier === '@conv3d/data' || specifier.startsWith('@conv3d/data/')) {
    const error = new Error(`Cannot find package '${specifier}' imported from ${context.parentURL}`);
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return next(specifier, context);
}
