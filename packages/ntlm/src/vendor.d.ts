// Types for the two pure-JavaScript primitives this package uses; neither ships its own and there
// is no @types package for them. Only the calls made here are declared.

declare module 'js-md4' {
  type Md4Input = string | ArrayBuffer | Uint8Array | readonly number[];
  interface Md4 {
    /**
     * Calling md4(…) directly in Node delegates to crypto.createHash('md4'), which OpenSSL 3
     * refuses; the output methods below always run the JavaScript implementation.
     */
    arrayBuffer(message: Md4Input): ArrayBuffer;
    hex(message: Md4Input): string;
  }
  const md4: Md4;
  export default md4;
}

declare module 'des.js' {
  interface DesCipher {
    update(data: readonly number[] | Uint8Array): number[];
    final(): number[];
  }
  interface DesJs {
    DES: {
      create(options: {
        type: 'encrypt' | 'decrypt';
        key: readonly number[] | Uint8Array;
        padding?: boolean;
      }): DesCipher;
    };
  }
  const desjs: DesJs;
  export default desjs;
}
