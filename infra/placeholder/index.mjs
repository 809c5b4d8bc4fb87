// Stand-in code for unit-test synthesis (context creditlake:lambdaCode=placeholder). Never deployed on purpose.
export const handler = async () => {
  throw new Error('placeholder Lambda code: synthesise with lambdaCode=esbuild before deploying');
};
