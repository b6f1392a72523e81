// X-Ray tracing through Powertools Tracer: a segment per invocation (`tracingMiddleware`, captureLambdaHandler) and
// a subsegment per AWS SDK call of the clients made in lib/adapters/aws.ts (`traced`). Tracing is on in Lambda (the
// CDK stack turns on active tracing) and off elsewhere (tracingEnabled in lib/config.ts): there is no X-Ray locally,
// so `traced` hands a client back untouched and the middleware does nothing.
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { setting, tracingEnabled } from '../config';

let tracer: Tracer | undefined;

/** The process's Tracer, made when first needed; Powertools also keeps it off outside Lambda whatever it is told. */
function theTracer(): Tracer {
  tracer ??= new Tracer({ serviceName: setting('POWERTOOLS_SERVICE_NAME'), enabled: tracingEnabled() });
  return tracer;
}

/** An AWS SDK v3 client whose calls are recorded as X-Ray subsegments when tracing is on; the client as it is otherwise. */
export function traced<T>(client: T): T {
  return tracingEnabled() ? theTracer().captureAWSv3Client(client) : client;
}

/** The Powertools captureLambdaHandler middleware of a function: the invocation's segment, its cold start and errors. */
export function tracingMiddleware(): ReturnType<typeof captureLambdaHandler> {
  let middleware: ReturnType<typeof captureLambdaHandler> | undefined;
  const powertools = () => (middleware ??= captureLambdaHandler(theTracer()));
  return {
    before: (request) => powertools().before?.(request),
    after: (request) => powertools().after?.(request),
    onError: (request) => powertools().onError?.(request),
  };
}
