/**
 * Apple Daily (蘋果日報), Hong Kong: its last edition was printed on 2021-06-24 and the site went
 * dark that night. A declarative profile: URL forms from public sources; no template is assumed,
 * so body, byline and dates come from the generic signals. Correct it with `salvage extract --explain`.
 */
import { profileFromSpec } from './profile-spec.js';

export const appledaily = profileFromSpec({
  id: 'appledaily',
  name: '蘋果日報',
  hosts: ['hk.appledaily.com', 'hk.news.appledaily.com', 'hk.apple.nextmedia.com', 'hkm.appledaily.com'],
  article_url: [
    // SITE-QUIRK: until 2019 articles were /<section>/art/<YYYYMMDD>/<numeric id> on
    // hk.apple.nextmedia.com (`/news/art/20150720/19225923`) and realtime ones
    // /realtime/<section>/<YYYYMMDD>/<id>. Source: public scrapers and tests that fetch these
    // URLs (e.g. `hk.apple.nextmedia.com/news/art/20130722/18343730`). Test: "appledaily: both URL eras".
    '^(?:https?://)?(?:hk|hkm)\\.(?:apple\\.nextmedia|news\\.appledaily|appledaily)\\.com/(?:[a-z]+/)?(?:art|[a-z]+)/\\d{8}/(?<id>\\d{5,12})(?:[/?#]|$)',
    // SITE-QUIRK: from 2017 the same stories moved to hk.news.appledaily.com/<section>/daily/article/
    // <YYYYMMDD>/<id> (realtime ones /<section>/realtime/article/…), keeping the numeric id, so one
    // story captured under both forms is one article. Source: the real 2017 page and its later
    // URL. Test: "appledaily: both URL eras".
    '^(?:https?://)?(?:hk|hkm)\\.(?:news\\.appledaily|appledaily|apple\\.nextmedia)\\.com/[a-z]+/(?:daily|realtime)/article/\\d{8}/(?<id>\\d{5,12})(?:[/?#]|$)',
    // SITE-QUIRK: from 2020 (the Arc CMS) articles are /<section>/<YYYYMMDD>/<26-letter key>/
    // (`/news/20210117/FLXATT4LKVBGVEBRLAECJPTCHM/`): the key, not a number, names the story.
    '^(?:https?://)?hk\\.appledaily\\.com/[a-z-]+/\\d{8}/(?<id>[A-Z0-9]{20,32})/?(?:[?#]|$)',
  ],
  timezone: '+08:00',
  encoding: 'utf-8',
  closed: '2021-06-24',
});
