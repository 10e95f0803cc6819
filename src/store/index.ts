/** Storage of captures: WARC files (and, with the rescuer, the crawl state). */
export { readWarcCaptures, serializeResponseRecord, WarcWriter, type WarcCapture, type ResponseRecordInput } from './warc.js';
