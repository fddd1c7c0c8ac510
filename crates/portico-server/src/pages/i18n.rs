//! The hosted pages' languages: which translation a request gets, the message catalogs (Fluent,
//! one `.ftl` file per language under `locales/`), and amounts and dates written the way each
//! language writes them.
//!
//! Every one of Stripe's 47 session locales maps to a translated language: itself, the closest
//! one (`fr-CA` → French, `pt` → Brazilian Portuguese, `en-AU` → British English, `zh-HK` →
//! Traditional Chinese), or English. A message missing from a catalog falls back to English,
//! never to its key.
//!
//! British English is English with a small catalog of its own on top (`en-GB.ftl`: the
//! messages it writes differently, such as dates and spellings); every other language has a
//! whole catalog.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use portico_domain::Currency;
use std::collections::HashMap;
use std::sync::LazyLock;

/// A language the pages are translated into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    /// British English: English with day-first dates and British spellings.
    EnGb,
    Fr,
    De,
    Es,
    It,
    Nl,
    PtBr,
    Ja,
    /// Simplified Chinese.
    Zh,
    /// Traditional Chinese (as written in Taiwan; also shown for Hong Kong).
    ZhHant,
}

impl Lang {
    /// Every translated language.
    pub const ALL: [Lang; 11] = [
        Lang::En,
        Lang::EnGb,
        Lang::Fr,
        Lang::De,
        Lang::Es,
        Lang::It,
        Lang::Nl,
        Lang::PtBr,
        Lang::Ja,
        Lang::Zh,
        Lang::ZhHant,
    ];

    /// The BCP 47 tag, for `<html lang>` and the catalog's file name.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::EnGb => "en-GB",
            Lang::Fr => "fr",
            Lang::De => "de",
            Lang::Es => "es",
            Lang::It => "it",
            Lang::Nl => "nl",
            Lang::PtBr => "pt-BR",
            Lang::Ja => "ja",
            Lang::Zh => "zh-Hans",
            Lang::ZhHant => "zh-Hant",
        }
    }

    /// The translated language closest to a locale tag (`fr-CA`, `en_GB`, `pt`, `zh-TW`), if
    /// any is close enough.
    pub fn closest(tag: &str) -> Option<Lang> {
        let tag = tag.trim().replace('_', "-").to_ascii_lowercase();
        let mut subtags = tag.split('-');
        let primary = subtags.next().unwrap_or("");
        let rest: Vec<&str> = subtags.collect();
        let has = |s: &[&str]| rest.iter().any(|r| s.contains(r));
        Some(match primary {
            // English as the Commonwealth writes it: day-first dates, British spellings.
            "en" if has(&["gb", "uk", "au", "nz", "ie", "in", "sg", "za", "001", "150"]) => {
                Lang::EnGb
            }
            "en" => Lang::En,
            // Traditional script: named, or implied by the region (Taiwan, Hong Kong, Macau),
            // unless the tag names the simplified script.
            "zh" if has(&["hant"]) || (has(&["tw", "hk", "mo"]) && !has(&["hans"])) => Lang::ZhHant,
            "fr" => Lang::Fr,
            "de" => Lang::De,
            "es" => Lang::Es,
            "it" => Lang::It,
            "nl" => Lang::Nl,
            "pt" => Lang::PtBr,
            "ja" => Lang::Ja,
            "zh" => Lang::Zh,
            _ => return None,
        })
    }
}

/// The language for a page: the session's `locale` unless it is `auto` (or unset), then the
/// customer's `preferred_locales`, then the browser's `Accept-Language`, then English.
pub fn negotiate(
    session_locale: Option<&str>,
    preferred_locales: &[String],
    accept_language: Option<&str>,
) -> Lang {
    if let Some(l) = session_locale.filter(|l| !l.is_empty() && *l != "auto") {
        return Lang::closest(l).unwrap_or(Lang::En);
    }
    if let Some(l) = preferred_locales.iter().find_map(|l| Lang::closest(l)) {
        return l;
    }
    accept_language
        .and_then(|h| {
            accept_languages(h)
                .into_iter()
                .find_map(|t| Lang::closest(&t))
        })
        .unwrap_or(Lang::En)
}

/// The tags of an `Accept-Language` header, most wanted first (`q=0` ones left out).
fn accept_languages(header: &str) -> Vec<String> {
    let mut tags: Vec<(String, u32, usize)> = header
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            if tag.is_empty() || tag == "*" || tag.len() > 35 {
                return None;
            }
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0).then(|| (tag.to_owned(), (q.clamp(0.0, 1.0) * 1000.0) as u32, i))
        })
        .take(20)
        .collect();
    tags.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    tags.into_iter().map(|(t, _, _)| t).collect()
}

/// The catalogs, one per language.
const SOURCES: &[(Lang, &str)] = &[
    (Lang::En, include_str!("../../locales/en.ftl")),
    (Lang::Fr, include_str!("../../locales/fr.ftl")),
    (Lang::De, include_str!("../../locales/de.ftl")),
    (Lang::Es, include_str!("../../locales/es.ftl")),
    (Lang::It, include_str!("../../locales/it.ftl")),
    (Lang::Nl, include_str!("../../locales/nl.ftl")),
    (Lang::PtBr, include_str!("../../locales/pt-BR.ftl")),
    (Lang::Ja, include_str!("../../locales/ja.ftl")),
    (Lang::Zh, include_str!("../../locales/zh-Hans.ftl")),
    (Lang::ZhHant, include_str!("../../locales/zh-Hant.ftl")),
];

/// Languages written as another with a few messages of their own: (language, base, the
/// messages that differ). Their bundles hold the base's catalog with these on top.
const OVERLAYS: &[(Lang, Lang, &str)] = &[(
    Lang::EnGb,
    Lang::En,
    include_str!("../../locales/en-GB.ftl"),
)];

struct Catalogs {
    bundles: Fast<Lang, FluentBundle<FluentResource>>,
    /// Each catalog's messages that take no arguments, formatted once: a page shows dozens.
    plain: Fast<Lang, Fast<String, String>>,
}

/// The catalogs are looked up dozens of times per page: with a fast hash, not a DoS-resistant
/// one (their keys are fixed by code).
type Fast<K, V> = HashMap<K, V, quick_cache::DefaultHashBuilder>;

static CATALOGS: LazyLock<Catalogs> = LazyLock::new(|| {
    let mut bundles = Fast::default();
    for lang in Lang::ALL {
        let id = lang
            .tag()
            .parse()
            .unwrap_or_else(|_| unic_langid::langid!("en"));
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // Pages are HTML-escaped by the templates; no bidi isolation marks in the text.
        bundle.set_use_isolating(false);
        // An overlay's messages replace its base's.
        for (layer, source) in sources(lang).into_iter().enumerate() {
            let resource = match FluentResource::try_new(source.to_string()) {
                Ok(r) => r,
                Err((r, errors)) => {
                    tracing::error!(lang = lang.tag(), ?errors, "catalog has syntax errors");
                    r
                }
            };
            if layer > 0 {
                bundle.add_resource_overriding(resource);
            } else if let Err(errors) = bundle.add_resource(resource) {
                tracing::error!(lang = lang.tag(), ?errors, "catalog has duplicate messages");
            }
        }
        if !sources(lang).is_empty() {
            bundles.insert(lang, bundle);
        }
    }
    let mut plain = Fast::default();
    for (lang, bundle) in &bundles {
        let mut texts = Fast::default();
        for key in catalog_keys(*lang).unwrap_or_default() {
            let Some(pattern) = bundle.get_message(&key).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, None, &mut errors);
            // A message that needs arguments is formatted when it is asked for.
            if errors.is_empty() {
                texts.insert(key, text.into_owned());
            }
        }
        plain.insert(*lang, texts);
    }
    Catalogs { bundles, plain }
});

/// The catalog sources of a language, base first: its own catalog, or its base's and its
/// overlay. Empty for a language without a catalog.
fn sources(lang: Lang) -> Vec<&'static str> {
    if let Some((_, base, overlay)) = OVERLAYS.iter().find(|(l, _, _)| *l == lang) {
        let mut layers = sources(*base);
        layers.push(overlay);
        return layers;
    }
    SOURCES
        .iter()
        .filter(|(l, _)| *l == lang)
        .map(|(_, s)| *s)
        .collect()
}

/// Whether `lang` has a catalog of its own.
fn has_catalog(lang: Lang) -> bool {
    !sources(lang).is_empty()
}

/// The message ids of a language's catalog, overlays included (for the catalog consistency
/// checks).
pub fn catalog_keys(lang: Lang) -> Option<Vec<String>> {
    let mut keys: Vec<String> = Vec::new();
    for source in sources(lang) {
        let resource = FluentResource::try_new(source.to_string()).ok()?;
        for e in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = e {
                if !keys.iter().any(|k| k == m.id.name) {
                    keys.push(m.id.name.to_owned());
                }
            }
        }
    }
    (!keys.is_empty()).then_some(keys)
}

/// Texts formatted with arguments, by [`memo_key`].
static FORMATTED: LazyLock<quick_cache::sync::Cache<String, String>> =
    LazyLock::new(|| quick_cache::sync::Cache::new(FORMATTED_TEXTS));
/// How many formatted texts are remembered (a few hundred KiB at most).
const FORMATTED_TEXTS: usize = 4096;

/// The text remembered under `memo_key`, or `make`'s (then remembered).
fn remembered(memo_key: String, make: impl FnOnce() -> String) -> String {
    if let Some(text) = FORMATTED.get(&memo_key) {
        return text;
    }
    let text = make();
    FORMATTED.insert(memo_key, text.clone());
    text
}

/// What a formatted text depends on, written so that no two requests share a key: each
/// argument's name, kind and value, values prefixed by their length.
fn memo_key(lang: Lang, key: &str, args: &[(&str, Arg)]) -> String {
    let mut k = String::with_capacity(64);
    let number = |k: &mut String, n: i64| k.push_str(itoa::Buffer::new().format(n));
    k.push_str(lang.tag());
    k.push('|');
    number(&mut k, key.len() as i64);
    k.push('|');
    k.push_str(key);
    for (name, value) in args {
        k.push('|');
        k.push_str(name);
        match value {
            Arg::Str(v) => {
                k.push_str("|s");
                number(&mut k, v.len() as i64);
                k.push('|');
                k.push_str(v);
            }
            Arg::Num(n) => {
                k.push_str("|n");
                number(&mut k, *n);
            }
        }
    }
    k
}

/// A value for a message argument.
pub enum Arg {
    Str(String),
    Num(i64),
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Str(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Str(s.to_owned())
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Num(n)
    }
}

/// The translator a page renders with.
#[derive(Clone, Copy, Debug)]
pub struct T {
    pub lang: Lang,
}

impl T {
    /// A translator for `lang`.
    pub fn new(lang: Lang) -> T {
        T { lang }
    }

    /// The message `key`.
    pub fn s(&self, key: &str) -> String {
        let lang = if CATALOGS.bundles.contains_key(&self.lang) {
            self.lang
        } else {
            Lang::En
        };
        match CATALOGS.plain.get(&lang).and_then(|m| m.get(key)) {
            Some(text) => text.clone(),
            None => self.f(key, Vec::new()),
        }
    }

    /// The message `key` with its arguments. Pages show the same few amounts, intervals and
    /// dates again and again, so the texts are remembered by language, key and arguments.
    pub fn f(&self, key: &str, args: Vec<(&str, Arg)>) -> String {
        remembered(memo_key(self.lang, key, &args), || self.format(key, args))
    }

    /// [`T::f`] without the memo.
    fn format(&self, key: &str, args: Vec<(&str, Arg)>) -> String {
        let mut fa = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Str(s) => fa.set(name.to_owned(), FluentValue::from(s)),
                Arg::Num(n) => fa.set(name.to_owned(), FluentValue::from(n)),
            }
        }
        for lang in [self.lang, Lang::En] {
            let Some(bundle) = CATALOGS.bundles.get(&lang) else {
                continue;
            };
            let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
                if lang != Lang::En && has_catalog(lang) {
                    tracing::warn!(
                        key,
                        lang = lang.tag(),
                        "message missing from a catalog: shown in English"
                    );
                }
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&fa), &mut errors);
            if !errors.is_empty() {
                tracing::warn!(key, lang = lang.tag(), ?errors, "message formatting errors");
            }
            return text.into_owned();
        }
        tracing::error!(key, "message missing from every catalog");
        String::new()
    }

    /// An amount in the currency's minor unit, written for the language: `$15.00`, `12,00 €`.
    pub fn money(&self, amount: i64, currency: &str) -> String {
        let exp = Currency::parse(currency).map(|c| c.exponent()).unwrap_or(2);
        let number = self.number(amount.unsigned_abs(), exp);
        let symbol = symbol(currency, self.lang);
        let sign = if amount < 0 { "-" } else { "" };
        let alphabetic = symbol.chars().any(|c| c.is_ascii_alphabetic());
        match self.lang {
            Lang::Fr | Lang::De | Lang::Es | Lang::It => format!("{sign}{number}\u{a0}{symbol}"),
            Lang::Nl | Lang::PtBr => format!("{symbol}\u{a0}{sign}{number}"),
            _ if alphabetic && symbol.len() > 2 && !symbol.ends_with('$') => {
                format!("{sign}{symbol}\u{a0}{number}")
            }
            _ => format!("{sign}{symbol}{number}"),
        }
    }

    /// `digits` minor units with `exp` decimals, grouped and separated as the language does.
    fn number(&self, minor: u64, exp: u32) -> String {
        let div = 10u64.pow(exp);
        let (whole, frac) = (minor / div, minor % div);
        let (group, decimal, min_grouping) = match self.lang {
            Lang::En | Lang::EnGb | Lang::Ja | Lang::Zh | Lang::ZhHant => (",", ".", 4),
            Lang::Fr => ("\u{202f}", ",", 4),
            Lang::Es => (".", ",", 5),
            Lang::De | Lang::It | Lang::Nl | Lang::PtBr => (".", ",", 4),
        };
        let digits = whole.to_string();
        let grouped = if digits.len() >= min_grouping {
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
                    out.push_str(group);
                }
                out.push(c);
            }
            out
        } else {
            digits
        };
        if exp == 0 {
            grouped
        } else {
            format!("{grouped}{decimal}{frac:0width$}", width = exp as usize)
        }
    }

    /// A date (UTC) written out: `January 3, 2027`, `3 janvier 2027`.
    pub fn date(&self, unix: i64) -> String {
        let (y, m, d) = portico_domain::calendar::civil_from_days(unix.div_euclid(86_400));
        let month = self.s(&format!("month-{m}"));
        self.f(
            "date-long",
            vec![
                ("year", y.into()),
                ("month", month.into()),
                ("day", d.into()),
            ],
        )
    }

    /// How often a price is billed: `month`, `3 months`.
    pub fn interval(&self, interval: &str, count: i64) -> String {
        self.f(&format!("every-{interval}"), vec![("count", count.into())])
    }

    /// A price per interval: `$15.00 / month`.
    /// Remembered whole, amount and interval included (`=` starts no message id).
    pub fn per_interval(&self, amount: i64, currency: &str, interval: &str, count: i64) -> String {
        let memo_key = memo_key(
            self.lang,
            "=per-interval",
            &[
                ("amount", amount.into()),
                ("currency", currency.into()),
                ("interval", interval.into()),
                ("count", count.into()),
            ],
        );
        remembered(memo_key, || {
            self.f(
                "price-per-interval",
                vec![
                    ("amount", self.money(amount, currency).into()),
                    ("interval", self.interval(interval, count).into()),
                ],
            )
        })
    }
}

/// The symbol a language writes for a currency; the upper-case code when it has none.
fn symbol(currency: &str, lang: Lang) -> String {
    let s = match (currency, lang) {
        ("usd", Lang::En | Lang::Ja | Lang::Nl) => "$",
        ("usd", Lang::Fr) => "$US",
        ("usd", _) => "US$",
        ("eur", _) => "€",
        ("gbp", _) => "£",
        ("jpy", _) => "¥",
        ("cny", Lang::Zh) => "¥",
        ("cny", _) => "CN¥",
        ("krw", _) => "₩",
        ("inr", _) => "₹",
        ("brl", _) => "R$",
        ("cad", Lang::Fr) => "$CA",
        ("cad", _) => "CA$",
        ("aud", Lang::Fr) => "$AU",
        ("aud", _) => "A$",
        ("nzd", _) => "NZ$",
        ("mxn", _) => "MX$",
        ("hkd", _) => "HK$",
        ("twd", _) => "NT$",
        ("ils", _) => "₪",
        ("vnd", _) => "₫",
        ("php", _) => "₱",
        _ => return currency.to_ascii_uppercase(),
    };
    s.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_formatted_once_read_as_formatted_each_time() {
        let mut checked = 0;
        for (lang, texts) in &CATALOGS.plain {
            for (key, text) in texts {
                assert_eq!(&T::new(*lang).f(key, Vec::new()), text, "{key}");
                assert_eq!(&T::new(*lang).s(key), text, "{key}");
                checked += 1;
            }
        }
        assert!(checked > 500, "{checked}");
        // A message with arguments is not among them, and formats with its arguments.
        assert!(!CATALOGS.plain[&Lang::En].contains_key("date-long"));
        let args = vec![
            ("month", Arg::from("May")),
            ("day", Arg::from(4)),
            ("year", Arg::from(2026)),
        ];
        assert_eq!(T::new(Lang::En).f("date-long", args), "May 4, 2026");
    }

    /// Remembered texts are the texts formatting gives, and arguments that read alike when
    /// run together still make different texts.
    #[test]
    fn formatted_texts_are_remembered_by_all_their_arguments() {
        let t = T::new(Lang::En);
        let date = |month: &str, day: i64| {
            vec![
                ("month", Arg::from(month)),
                ("day", Arg::from(day)),
                ("year", Arg::from(2026)),
            ]
        };
        for _ in 0..2 {
            assert_eq!(t.f("date-long", date("May", 4)), "May 4, 2026");
            assert_eq!(t.f("date-long", date("May", 14)), "May 14, 2026");
            assert_eq!(t.f("date-long", date("May 1", 4)), "May 1 4, 2026");
        }
        assert_eq!(
            T::new(Lang::Fr).f("date-long", date("mai", 4)),
            T::new(Lang::Fr).format("date-long", date("mai", 4))
        );
        let a = memo_key(Lang::En, "k", &[("a", Arg::from("x|b|s1|y"))]);
        let b = memo_key(
            Lang::En,
            "k",
            &[("a", Arg::from("x")), ("b", Arg::from("y"))],
        );
        assert_ne!(a, b);
        for _ in 0..2 {
            assert_eq!(t.per_interval(1500, "usd", "month", 1), "$15.00 / month");
            assert_eq!(t.per_interval(1500, "eur", "month", 3), "€15.00 / 3 months");
            assert_eq!(
                T::new(Lang::Fr).per_interval(1500, "eur", "month", 1),
                "15,00\u{a0}€ / mois"
            );
        }
        assert_ne!(
            memo_key(Lang::En, "k", &[("n", Arg::from(1))]),
            memo_key(Lang::En, "k", &[("n", Arg::from("1"))])
        );
    }

    #[test]
    fn every_stripe_locale_reaches_a_translated_language() {
        for l in portico_domain::portal::LOCALES {
            let lang = negotiate(Some(l), &[], None);
            let expected = match *l {
                "auto" => Lang::En,
                "fr" | "fr-CA" => Lang::Fr,
                "pt" | "pt-BR" => Lang::PtBr,
                "es" | "es-419" => Lang::Es,
                "zh" => Lang::Zh,
                "zh-HK" | "zh-TW" => Lang::ZhHant,
                "en-AU" | "en-GB" | "en-IE" | "en-IN" | "en-NZ" | "en-SG" => Lang::EnGb,
                "de" => Lang::De,
                "it" => Lang::It,
                "nl" => Lang::Nl,
                "ja" => Lang::Ja,
                _ => Lang::En,
            };
            assert_eq!(lang, expected, "{l}");
        }
    }

    #[test]
    fn auto_uses_the_customer_then_the_browser() {
        assert_eq!(
            negotiate(Some("auto"), &["de-AT".into()], Some("fr")),
            Lang::De
        );
        assert_eq!(negotiate(None, &["ko".into(), "nl".into()], None), Lang::Nl);
        assert_eq!(
            negotiate(None, &[], Some("ko;q=0.9, ja;q=0.8, fr;q=0.85")),
            Lang::Fr
        );
        assert_eq!(negotiate(None, &[], Some("en-GB,en;q=0.9")), Lang::EnGb);
        assert_eq!(negotiate(None, &[], Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(negotiate(None, &[], Some("zh-TW")), Lang::ZhHant);
        assert_eq!(negotiate(None, &[], Some("zh-Hant-HK")), Lang::ZhHant);
        assert_eq!(negotiate(None, &[], Some("zh-Hans-HK")), Lang::Zh);
        assert_eq!(negotiate(None, &[], Some("zh-CN")), Lang::Zh);
        assert_eq!(negotiate(None, &["zh_hk".into()], None), Lang::ZhHant);
        assert_eq!(negotiate(None, &[], Some("de;q=0, it")), Lang::It);
        assert_eq!(negotiate(None, &[], Some("garbage;;;,")), Lang::En);
        assert_eq!(negotiate(Some("ko"), &["fr".into()], Some("fr")), Lang::En);
    }

    #[test]
    fn amounts_in_english() {
        let t = T::new(Lang::En);
        assert_eq!(t.money(1500, "usd"), "$15.00");
        assert_eq!(t.money(123_456_789, "usd"), "$1,234,567.89");
        assert_eq!(t.money(-500, "usd"), "-$5.00");
        assert_eq!(t.money(1200, "eur"), "€12.00");
        assert_eq!(t.money(1200, "jpy"), "¥1,200");
        assert_eq!(t.money(1500, "kwd"), "KWD\u{a0}1.500");
        assert_eq!(t.money(990, "chf"), "CHF\u{a0}9.90");
        assert_eq!(t.money(0, "usd"), "$0.00");
    }

    #[test]
    fn amounts_in_other_languages() {
        assert_eq!(T::new(Lang::Fr).money(1200, "eur"), "12,00\u{a0}€");
        assert_eq!(
            T::new(Lang::Fr).money(123_456, "eur"),
            "1\u{202f}234,56\u{a0}€"
        );
        assert_eq!(T::new(Lang::De).money(123_456, "eur"), "1.234,56\u{a0}€");
        assert_eq!(T::new(Lang::Es).money(123_456, "eur"), "1234,56\u{a0}€");
        assert_eq!(T::new(Lang::Es).money(1_234_567, "eur"), "12.345,67\u{a0}€");
        assert_eq!(T::new(Lang::Nl).money(1200, "eur"), "€\u{a0}12,00");
        assert_eq!(T::new(Lang::PtBr).money(1200, "brl"), "R$\u{a0}12,00");
        assert_eq!(T::new(Lang::Ja).money(1200, "jpy"), "¥1,200");
        assert_eq!(T::new(Lang::Ja).money(1500, "usd"), "$15.00");
    }

    /// The variables a message uses, by message id, in one catalog source.
    fn variables(
        source: &str,
    ) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
        use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
        fn walk(p: &Pattern<&str>, out: &mut std::collections::BTreeSet<String>) {
            for e in &p.elements {
                if let PatternElement::Placeable { expression } = e {
                    expr(expression, out);
                }
            }
        }
        fn inline(i: &InlineExpression<&str>, out: &mut std::collections::BTreeSet<String>) {
            match i {
                InlineExpression::VariableReference { id } => {
                    out.insert(id.name.to_owned());
                }
                InlineExpression::Placeable { expression } => expr(expression, out),
                _ => {}
            }
        }
        fn expr(e: &Expression<&str>, out: &mut std::collections::BTreeSet<String>) {
            match e {
                Expression::Inline(i) => inline(i, out),
                Expression::Select { selector, variants } => {
                    inline(selector, out);
                    for v in variants {
                        walk(&v.value, out);
                    }
                }
            }
        }
        let resource = fluent_syntax::parser::parse(source)
            .unwrap_or_else(|(_, errors)| panic!("a catalog does not parse: {errors:?}"));
        resource
            .body
            .iter()
            .filter_map(|e| match e {
                Entry::Message(m) => {
                    let mut vars = std::collections::BTreeSet::new();
                    if let Some(v) = &m.value {
                        walk(v, &mut vars);
                    }
                    Some((m.id.name.to_owned(), vars))
                }
                _ => None,
            })
            .collect()
    }

    fn source(lang: Lang) -> &'static str {
        SOURCES.iter().find(|(l, _)| *l == lang).unwrap().1
    }

    #[test]
    fn every_catalog_has_the_same_messages_with_the_same_variables() {
        let english = variables(source(Lang::En));
        assert!(english.len() > 200);
        for lang in Lang::ALL {
            assert!(has_catalog(lang), "no catalog for {}", lang.tag());
            assert_eq!(catalog_keys(lang).map(|k| k.len()), Some(english.len()));
            if let Some((_, base, overlay)) = OVERLAYS.iter().find(|(l, _, _)| *l == lang) {
                // An overlay only rewrites messages of its base, with the same variables.
                assert_eq!(*base, Lang::En);
                let theirs = variables(overlay);
                assert!(theirs.len() > 5, "{}", lang.tag());
                for (id, vars) in &theirs {
                    assert_eq!(english.get(id), Some(vars), "{}: {id}", lang.tag());
                }
                continue;
            }
            let theirs = variables(source(lang));
            let missing: Vec<&String> = english
                .keys()
                .filter(|k| !theirs.contains_key(*k))
                .collect();
            let extra: Vec<&String> = theirs
                .keys()
                .filter(|k| !english.contains_key(*k))
                .collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{}: missing {missing:?}, extra {extra:?}",
                lang.tag()
            );
            for (id, vars) in &english {
                assert_eq!(&theirs[id], vars, "{}: variables of {id}", lang.tag());
            }
        }
    }

    #[test]
    fn every_message_formats_in_every_language() {
        // Formatting with plausible arguments raises no error and never yields an empty string.
        for lang in Lang::ALL {
            let t = T::new(lang);
            for id in variables(source(Lang::En)).keys() {
                let args = vec![
                    ("count", Arg::Num(3)),
                    ("months", Arg::Num(1)),
                    ("max", Arg::Num(256)),
                    ("min", Arg::Num(1)),
                    ("quantity", Arg::Num(2)),
                    ("day", Arg::Num(3)),
                    ("year", Arg::Num(2027)),
                    ("percent", "20".into()),
                    ("month", "M".into()),
                    ("amount", "A".into()),
                    ("interval", "I".into()),
                    ("price", "P".into()),
                    ("product", "Pro".into()),
                    ("date", "D".into()),
                    ("business", "Acme".into()),
                    ("email", "ada@example.com".into()),
                    ("name", "Ada".into()),
                    ("brand", "Visa".into()),
                    ("last4", "4242".into()),
                    ("number", "ABC-0001".into()),
                    ("off", "20%".into()),
                    ("when", "W".into()),
                    ("start", "S".into()),
                    ("end", "E".into()),
                ];
                let text = t.f(id, args);
                assert!(!text.trim().is_empty(), "{}: {id} is empty", lang.tag());
            }
        }
    }

    #[test]
    fn dates_plurals_and_prices_in_each_language() {
        let jan3 = 1_798_934_400;
        let cases = [
            (Lang::Fr, "3 janvier 2027", "12,00\u{a0}€ / mois", "3 mois"),
            (
                Lang::De,
                "3. Januar 2027",
                "12,00\u{a0}€ / Monat",
                "3 Monate",
            ),
            (
                Lang::Es,
                "3 de enero de 2027",
                "12,00\u{a0}€ / mes",
                "3 meses",
            ),
            (Lang::It, "3 gennaio 2027", "12,00\u{a0}€ / mese", "3 mesi"),
            (
                Lang::Nl,
                "3 januari 2027",
                "€\u{a0}12,00 / maand",
                "3 maanden",
            ),
            (
                Lang::PtBr,
                "3 de janeiro de 2027",
                "€\u{a0}12,00 / mês",
                "3 meses",
            ),
            (Lang::Ja, "2027年1月3日", "€12.00 / 月", "3か月"),
            (Lang::Zh, "2027年1月3日", "€12.00 / 月", "3 个月"),
            (Lang::ZhHant, "2027年1月3日", "€12.00 / 月", "3 個月"),
            (Lang::EnGb, "3 January 2027", "€12.00 / month", "3 months"),
        ];
        for (lang, date, monthly, three) in cases {
            let t = T::new(lang);
            assert_eq!(t.date(jan3), date, "{}", lang.tag());
            assert_eq!(
                t.per_interval(1200, "eur", "month", 1),
                monthly,
                "{}",
                lang.tag()
            );
            assert_eq!(t.interval("month", 3), three, "{}", lang.tag());
        }
        assert_eq!(
            T::new(Lang::Ja).per_interval(1200, "jpy", "month", 1),
            "¥1,200 / 月"
        );
        // British English: its own spellings, English for the rest, US dollars marked as such.
        let gb = T::new(Lang::EnGb);
        assert_eq!(gb.s("status-canceling"), "Cancelling");
        assert_eq!(gb.s("home-title"), T::new(Lang::En).s("home-title"));
        assert_eq!(gb.money(1500, "usd"), "US$15.00");
        assert_eq!(gb.money(1500, "gbp"), "£15.00");
        // Traditional Chinese: its own catalog; NT$ stays marked (also read in Hong Kong,
        // where a bare $ is the Hong Kong dollar).
        let tw = T::new(Lang::ZhHant);
        assert_eq!(tw.s("action-cancel-subscription"), "取消訂閱");
        assert_eq!(tw.money(150_000, "twd"), "NT$1,500.00");
    }

    #[test]
    fn dates_and_intervals_in_english() {
        let t = T::new(Lang::En);
        assert_eq!(t.date(1_798_934_400), "January 3, 2027");
        assert_eq!(t.interval("month", 1), "month");
        assert_eq!(t.interval("month", 3), "3 months");
        assert_eq!(t.per_interval(1500, "usd", "year", 1), "$15.00 / year");
    }
}
