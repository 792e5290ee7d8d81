// zipkin-encoder-thrift ships no types; this is the one function the tests use.
declare module 'zipkin-encoder-thrift' {
  import type { model } from 'zipkin';
  const encoder: { encode(span: model.Span): Buffer };
  export default encoder;
}
