/**
 * Stand News (立場新聞), Hong Kong, 2014-12 … 2021-12-29: closed the day police raided it. A
 * declarative profile: URL forms and dates from public sources; no page template is assumed, so
 * body, byline and dates come from the generic signals. Correct it with `salvage extract --explain`.
 */
import { profileFromSpec } from './profile-spec.js';

export const standnews = profileFromSpec({
  id: 'standnews',
  name: '立場新聞',
  hosts: ['www.thestandnews.com', 'thestandnews.com'],
  // SITE-QUIRK: article URLs are /<section>/<title slug>, the slug percent-encoded Chinese
  // (`/society/大埔車禍…`, `/cosmos/pi-是永恆-二`); there is no numeric id, so the id is drawn from
  // the slug. Section fronts are one segment (`/politics/?page=2`). Source: public archiving
  // scripts (EinoHR/Scripts-for-archiving-HK-media, Crawl-Then-Archive-TheStandNews*.py) and
  // Markdown exports of the site that keep `original_url`. Test: "standnews: ids from slugs".
  article_url: '^(?:https?://)?(?:www\\.)?thestandnews\\.com/(?<section>[a-z0-9_-]+)/(?<id>[^/?#]+)/?(?:[?#]|$)',
  not_article_url: ['^(?:https?://)?(?:www\\.)?thestandnews\\.com/(?:author|tag|tags|search|api|media|static|page)/'],
  timezone: '+08:00',
  encoding: 'utf-8',
  // The site went offline on 2021-12-29 (Hong Kong time), after the morning's raid.
  closed: '2021-12-29',
});
