/** opencc-js's dictionaries as it ships them (`dist/esm-lib/dict/*.js`): one string, `key value|key value…`. */
declare module 'opencc-js/dict/STPhrases' {
  const dictionary: string;
  export default dictionary;
}
