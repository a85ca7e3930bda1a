// What client/core may use beyond ECMAScript: globals that browsers, Node and Deno all have. Anything of a DOM or of
// Node (window, location, document, Buffer) stays out, so that the pages and the native agent share this code.

interface TextDecoder {
  decode(input?: ArrayBuffer | ArrayBufferView): string;
}
declare var TextDecoder: {
  new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder;
};
