## Datumsangaben, Intervalle und Preise

month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember
date-long = { $day }. { $month } { $year }
every-day = { $count ->
    [one] Tag
   *[other] { $count } Tage
}
every-week = { $count ->
    [one] Woche
   *[other] { $count } Wochen
}
every-month = { $count ->
    [one] Monat
   *[other] { $count } Monate
}
every-year = { $count ->
    [one] Jahr
   *[other] { $count } Jahre
}
price-per-interval = { $amount } / { $interval }
quantity-times = { $quantity } × { $price }
tiered-quantity-total = { $price } für { $quantity }
card-expires = Gültig bis { $date }

## Rahmen

default-business-name = Abrechnung
return-to = Zurück zu { $business }
powered-by = Bereitgestellt von Portico
terms = Bedingungen
privacy = Datenschutz
test-mode = Testmodus
skip-to-content = Zum Inhalt springen
back-to-portal = Zurück zu Ihrem Konto
action-back = Zurück

## Seiten außerhalb einer Sitzung und Fehler

link-invalid-heading = Dieser Link ist ungültig
link-invalid-body = Der Link wurde möglicherweise falsch eingegeben oder durch einen neueren ersetzt. Kehren Sie zu der Website zurück, von der Sie gekommen sind, um einen neuen Link zu erhalten.
session-expired-heading = Diese Sitzung ist abgelaufen
session-expired-body = Zu Ihrer Sicherheit laufen Portal-Links ab, wenn sie nicht verwendet werden. Kehren Sie zu der Website zurück, von der Sie gekommen sind, um eine neue Sitzung zu öffnen.
session-taken-heading = Dieser Link wurde bereits verwendet
session-taken-body = Dieser Link zum Abrechnungsportal wurde in einem anderen Browser geöffnet. Zu Ihrer Sicherheit funktioniert er nur dort. Kehren Sie zu der Website zurück, von der Sie gekommen sind, um einen neuen Link zu erhalten.
customer-gone-heading = Dieses Konto ist nicht mehr verfügbar
customer-gone-body = Zu diesem Link gehört kein Abrechnungskonto mehr.
error-heading = Etwas ist schiefgelaufen
error-body = Dieser Schritt konnte nicht abgeschlossen werden. Es wurde nichts berechnet. Bitte versuchen Sie es gleich noch einmal.
form-expired-heading = Bitte versuchen Sie es erneut
form-expired-body = Dieses Formular ist abgelaufen oder wurde in einem anderen Browser geöffnet. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.
not-found-heading = Nicht gefunden
not-found-body = Diese Seite existiert nicht oder gehört nicht zu Ihrem Konto.

## Startseite

home-title = Ihre Abrechnung
home-subscriptions =
    { $count ->
        [one] Aktueller Tarif
       *[other] Aktuelle Tarife
    }
home-no-subscriptions = Sie haben keine aktiven Abonnements.
home-credit = Ihr Konto hat ein Guthaben von { $amount }, das mit Ihren nächsten Rechnungen verrechnet wird.
home-payment-methods = Zahlungsmethoden
home-no-cards = Keine Zahlungsmethode hinterlegt.
home-billing-information = Rechnungsinformationen
home-no-billing-information = Keine Rechnungsinformationen hinterlegt.
home-invoice-history = Rechnungsverlauf
home-no-invoices = Noch keine Rechnungen.
home-older-invoices = Ältere Rechnungen
sub-renews-on = Verlängert sich am { $date }
sub-incomplete-pay = Die erste Rechnung ist noch offen: Bezahlen Sie sie, um das Abonnement zu starten.
sub-past-due-pay = Eine Zahlung ist fehlgeschlagen und die Rechnung ist noch offen: Bezahlen Sie sie, um das Abonnement zu behalten.
sub-overdue-pay = Eine Rechnung ist überfällig: Bezahlen Sie sie, um Ihr Abonnement zu behalten.
action-pay-invoice = Rechnung bezahlen
sub-cancels-on = Wird zum { $date } gekündigt
sub-trial-ends = Testphase endet am { $date }
sub-paused = Pausiert seit { $date }
sub-changes-on = Wechselt am { $date } zu { $product } ({ $price })
sub-change-waiting = Ein Wechsel zu { $product } ({ $price }) wartet auf die Bestätigung Ihrer Karte.
sub-discount = Rabatt
sub-discount-until = { $off } bis { $date }
status-trialing = Testphase
status-past-due = Überfällig
status-incomplete = Unvollständig
status-paused = Pausiert
status-canceling = Wird gekündigt
card-default = Standard
action-update-subscription = Abonnement aktualisieren
action-cancel-subscription = Abonnement kündigen
action-renew-subscription = Abonnement verlängern
action-make-default = Als Standard festlegen
action-remove = Entfernen
action-add-payment-method = Zahlungsmethode hinzufügen
action-update-information = Informationen aktualisieren
card-keep-heading = Diese Zahlungsmethode kann nicht entfernt werden
card-keep-body = Ihr Abonnement benötigt eine Standardzahlungsmethode. Fügen Sie eine weitere Karte hinzu und legen Sie sie als Standard fest, bevor Sie diese entfernen.
card-remove-title = Diese Karte entfernen?
card-remove-body = { $card } ({ $expires }) wird aus Ihrem Konto entfernt. Sie können sie jederzeit wieder hinzufügen.
action-remove-card = Karte entfernen
action-keep-card = Karte behalten
notice-canceled = Ihr Abonnement wurde gekündigt.
notice-canceling = Ihr Abonnement wird zum Ende des Abrechnungszeitraums gekündigt.
notice-retained = Ihr Angebot wurde angewendet.
notice-updated = Ihr Abonnement wurde aktualisiert.
notice-scheduled = Ihre Tarifänderung wurde eingeplant.
notice-renewed = Ihr Abonnement wurde verlängert.
notice-card-added = Ihre Zahlungsmethode wurde hinzugefügt.
notice-default-set = Ihre Standardzahlungsmethode wurde aktualisiert.
notice-card-removed = Ihre Zahlungsmethode wurde entfernt.
notice-info-saved = Ihre Rechnungsinformationen wurden gespeichert.

## Rechnungsinformationen

billing-title = Rechnungsinformationen
billing-lead = Diese Angaben erscheinen auf Ihren Rechnungen.
billing-fix-errors = Bitte korrigieren Sie die markierten Felder.
field-name = Name
field-email = E-Mail
field-phone = Telefon
field-billing-address = Rechnungsadresse
field-shipping-address = Lieferadresse
field-shipping-name = Name des Empfängers
field-line1 = Adresszeile 1
field-line2 = Adresszeile 2 (optional)
field-city = Ort
field-postal-code = Postleitzahl
field-state = Bundesland oder Region
field-country = Land
field-country-hint = Zweistelliger Ländercode, z. B. DE oder AT.
action-save = Speichern
action-cancel = Abbrechen
error-too-long = Diese Eingabe ist zu lang: höchstens { $max } Zeichen.
error-email = Geben Sie eine gültige E-Mail-Adresse ein.
error-email-required = Geben Sie Ihre E-Mail-Adresse ein.
error-country = Geben Sie den zweistelligen Code eines Landes ein, etwa US oder DE.
error-shipping-name = Für eine Lieferadresse ist der Name des Empfängers erforderlich.
error-address-required = Geben Sie Adresszeile 1, Ort und Land ein, oder leeren Sie alle Felder, um die Adresse zu entfernen.
error-address-region = Für eine Adresse in den USA oder Kanada geben Sie auch Bundesland oder Region und Postleitzahl ein.
error-phone = Geben Sie eine gültige Telefonnummer ein, etwa +49 30 1234567.

## Karten

card-add-title = Zahlungsmethode hinzufügen
card-update-title = Zahlungsmethode aktualisieren
card-lead = Ihre Karte wird sicher gespeichert und für Ihre zukünftigen Rechnungen verwendet.
card-default-note = Diese Karte wird Ihre Standardzahlungsmethode.
card-test-hint = Testmodus: Verwenden Sie 4242 4242 4242 4242 mit einem beliebigen Datum in der Zukunft und einer beliebigen CVC. 4000 0000 0000 0002 wird abgelehnt; 4000 0027 6000 3184 erfordert 3-D Secure.
field-card-number = Kartennummer
field-card-expiry = Ablaufdatum
field-card-expiry-placeholder = MM / JJ
field-card-cvc = Sicherheitscode
field-card-cvc-placeholder = CVC
field-cardholder = Name auf der Karte
action-add-card = Karte hinzufügen
action-update-payment-method = Zahlungsmethode aktualisieren
card-error-number = Ihre Kartennummer ist ungültig.
card-error-expiry = Das Ablaufdatum Ihrer Karte ist ungültig.
card-error-cvc = Der Sicherheitscode Ihrer Karte ist ungültig.
card-error-expired = Ihre Karte ist abgelaufen.
card-error-declined = Ihre Karte wurde abgelehnt.
card-error-insufficient-funds = Ihre Karte ist nicht ausreichend gedeckt.
card-error-authentication = Wir konnten Ihre Zahlungsmethode nicht authentifizieren. Wählen Sie eine andere Zahlungsmethode und versuchen Sie es erneut.

## Kündigung

cancel-title = Abonnement kündigen
cancel-end-consequence = Ihr Abonnement für { $product } wird gekündigt, bleibt aber bis zum Ende Ihres Abrechnungszeitraums am { $date } verfügbar.
cancel-now-consequence = Ihr Abonnement für { $product } endet sofort.
cancel-credit-note = Nicht genutzte Zeit Ihres aktuellen Abrechnungszeitraums wird Ihrem Konto gutgeschrieben.
cancel-credit-amount = Die nicht genutzte Zeit Ihres aktuellen Abrechnungszeitraums, { $amount }, wird Ihrem Konto gutgeschrieben.
cancel-unavailable-heading = Dieses Abonnement kann hier nicht gekündigt werden
cancel-unavailable-body = Es ist bereits beendet oder bereits zur Kündigung vorgemerkt.
action-keep-subscription = Abonnement behalten
reason-question = Warum kündigen Sie? (optional)
reason-comment = Möchten Sie uns noch etwas mitteilen?
reason-comment-hint = Optional. Sagen Sie uns, was wir besser machen können.
reason-customer-service = Der Kundenservice hat meine Erwartungen nicht erfüllt
reason-low-quality = Die Qualität hat meine Erwartungen nicht erfüllt
reason-missing-features = Es fehlen Funktionen
reason-other = Anderer Grund
reason-switched-service = Ich wechsle zu einem anderen Anbieter
reason-too-complex = Die Bedienung ist zu kompliziert
reason-too-expensive = Es ist zu teuer
reason-unused = Ich nutze den Dienst zu selten
error-reason = Wählen Sie einen der aufgeführten Gründe.
error-comment-too-long = Ihr Kommentar ist zu lang.
offer-title = Bevor Sie gehen
offer-lead = Wir würden uns freuen, wenn Sie bleiben. Hier ist ein Angebot für Sie.
offer-headline = { $off } { $when }
offer-percent-off = { $percent } % Rabatt
offer-amount-off = { $amount } Rabatt
offer-once = auf Ihre nächste Rechnung
offer-forever = für die gesamte Dauer Ihres Abonnements
offer-months = { $months ->
    [one] für 1 Monat
   *[other] für { $months } Monate
}
offer-detail = Der Rabatt wird sofort auf Ihr Abonnement angewendet. Heute wird Ihnen nichts zusätzlich berechnet.
offer-next-invoice = Ihre nächste Rechnung am { $date } beträgt { $now } statt { $was }.
action-accept-offer = Angebot annehmen
action-decline-offer-cancel = Nein danke, Abonnement kündigen
offer-unavailable-heading = Dieses Angebot ist nicht mehr verfügbar
offer-unavailable-body = Das Angebot kann nicht mehr auf Ihr Abonnement angewendet werden. Es wurde nichts geändert.

## Tarifwechsel

update-title = Tarif ändern
update-current = Aktueller Tarif:
update-current-badge = Aktuell
update-choose-plan = Tarif auswählen
update-interval-label = Abrechnungsintervall
update-nothing-else = Derzeit gibt es keinen anderen Tarif, zu dem Sie dieses Abonnement wechseln können.
interval-tab-day = Täglich
interval-tab-week = Wöchentlich
interval-tab-month = Monatlich
interval-tab-year = Jährlich
field-quantity = Menge
field-promotion-code = Aktionscode
quantity-between = Zwischen { $min } und { $max }.
quantity-at-least = Mindestens { $min }.
action-continue = Weiter
update-unavailable-heading = Dieses Abonnement kann hier nicht aktualisiert werden
update-unavailable-body = Es ist möglicherweise beendet, zur Kündigung vorgemerkt oder hat bereits eine ausstehende Änderung.
update-waiting-heading = Ihr Tarifwechsel wartet auf Bestätigung
update-waiting-body = Ihre Bank möchte die Zahlung für diesen Wechsel bestätigen lassen. Bestätigen Sie sie, damit der Wechsel wirksam wird; andernfalls bleibt Ihr Tarif unverändert.
update-waiting-action = Zahlung bestätigen
error-plan = Wählen Sie einen der angebotenen Tarife.
error-quantity = Geben Sie eine ganze Zahl von mindestens 1 ein.
error-promotion-code = Dieser Aktionscode ist ungültig oder kann für diesen Tarif nicht verwendet werden.
error-no-change = Wählen Sie einen anderen Tarif oder eine andere Menge.
confirm-no-change-heading = Keine Änderung nötig
confirm-no-change-body = Ihr Abonnement hat diesen Tarif bereits. Es gibt nichts zu bestätigen.
change-unavailable-heading = Diese Änderung ist nicht mehr verfügbar
change-unavailable-body = Etwas, das sie voraussetzt, etwa der Tarif oder der Rabatt, wird nicht mehr angeboten. Es wurde nichts geändert.
preview-title = Neuen Tarif bestätigen
preview-current-plan = Aktueller Tarif
preview-new-plan = Neuer Tarif
preview-timing-now = Ihr Tarif ändert sich, sobald Sie bestätigen.
preview-timing-later = Ihr Tarif ändert sich am { $date } zum Ende Ihres aktuellen Abrechnungszeitraums. Bis dahin wird Ihnen nichts berechnet.
preview-timing-trial-ends = Ihre Testphase endet, sobald Sie bestätigen, und Ihr neuer Tarif beginnt heute.
preview-timing-trial-continues = Ihre Testphase läuft weiter; Ihr neuer Tarif gilt ab dem Ende der Testphase.
preview-lines-caption = Belastungen und Gutschriften für diese Änderung
preview-lines-next-invoice = Diese Belastungen und Gutschriften werden Ihrer nächsten Rechnung hinzugefügt.
preview-discount = Rabatt
preview-discount-applied = Auf Ihr Abonnement angewendet
preview-discount-next = Rabatt auf die nächste Rechnung
preview-due-today = Heute fälliger Betrag
preview-paid-with = Belastet wird { $card }
preview-sent-invoice = Sie erhalten eine Rechnung über diesen Betrag, fällig am { $date }.
preview-next-invoice = Nächste Rechnung am { $date }
preview-credit = Ihr Kontoguthaben beträgt danach { $amount } und wird mit Ihren nächsten Rechnungen verrechnet.
action-confirm = Bestätigen
action-use-another-card = Andere Karte verwenden
line-unused-time = Nicht genutzte Zeit für { $quantity } × { $product }
line-remaining-time = Verbleibende Zeit für { $quantity } × { $product }
line-one-off = { $quantity } × { $product }
line-unnamed = Posten
line-period = { $quantity } × { $product } ({ $start } – { $end })
line-period-flat = { $product } ({ $start } – { $end })
line-tier = { $product } · Stufe { $tier }
update-not-applied-heading = Ihr Tarif wurde nicht geändert
update-not-applied-body = Die Zahlung für diese Änderung war nicht erfolgreich, daher wurde nichts geändert.

## Bestätigung

done-card-heading = Zahlungsmethode aktualisiert
done-card-body = Ihre { $brand } mit der Endung { $last4 } ist jetzt Ihre Standardzahlungsmethode.
done-canceled-heading = Abonnement gekündigt
done-canceled-now = Ihr Abonnement für { $product } wurde gekündigt.
done-canceled-later = Ihr Abonnement für { $product } endet am { $date }. Bis dahin können Sie es weiter nutzen.
done-retained-heading = Angebot angenommen
done-retained-body = Schön, dass Sie bleiben! Der Rabatt wurde auf Ihr Abonnement für { $product } angewendet.
done-updated-heading = Abonnement aktualisiert
done-updated-now = Sie nutzen jetzt { $product } ({ $price }).
done-updated-later = Ihr Tarif wechselt am { $date } zu { $product } ({ $price }).
done-charged = Ihnen wurden { $amount } berechnet.
done-close = Sie können diese Seite jetzt schließen.

## Rechnungen

invoice-title = Rechnung
invoice-date = Datum
invoice-due-on = Fällig am
invoice-paid-on = Bezahlt am
invoice-period = Zeitraum
invoice-billed-to = Rechnungsempfänger
invoice-lines = Positionen
invoice-description = Beschreibung
invoice-amount = Betrag
invoice-subtotal = Zwischensumme
invoice-discount = Rabatt
invoice-balance = Verrechnetes Guthaben
invoice-total = Gesamt
invoice-amount-paid = Bezahlter Betrag
invoice-amount-due = Fälliger Betrag
invoice-status-paid = Bezahlt
invoice-status-open = Offen
invoice-status-void = Storniert
invoice-status-uncollectible = Uneinbringlich
invoice-status-draft = Entwurf
invoice-needs-authentication = Diese Zahlung muss von Ihnen bei Ihrer Bank bestätigt werden.
action-complete-payment = Zahlung abschließen

## Anmeldeseite und zugehörige E-Mail

login-title = Im Abrechnungsportal anmelden
login-lead = Geben Sie die E-Mail-Adresse ein, die Sie bei { $business } verwenden. Wir senden Ihnen per E-Mail einen Link, über den Sie Ihre Abrechnung verwalten können.
action-send-link = Link per E-Mail senden
login-sent-heading = Prüfen Sie Ihr E-Mail-Postfach
login-sent-body = Falls { $email } zu einem Konto gehört, haben wir einen Anmeldelink an diese Adresse gesendet.
login-sent-note = Der Link kann einmal verwendet werden und läuft nach 15 Minuten ab. Keine E-Mail erhalten? Prüfen Sie Ihren Spam-Ordner oder versuchen Sie es in einigen Minuten erneut.
login-limited-heading = Zu viele Versuche
login-limited-body = Bitte warten Sie einige Minuten, bevor Sie einen neuen Link anfordern.
login-unavailable-body = Diese Anmeldeseite ist nicht mehr verfügbar. Kehren Sie zu der Website zurück, von der Sie gekommen sind, um Ihre Abrechnung zu verwalten.
login-link-used-heading = Dieser Link ist abgelaufen
login-link-used-body = Anmeldelinks können einmal verwendet werden und laufen nach 15 Minuten ab. Fordern Sie auf der Anmeldeseite einen neuen Link an.
login-continue-heading = Ihr Abrechnungsportal öffnen
login-continue-body = Fahren Sie fort, um Ihr Abonnement, Ihre Zahlungsmethoden und Rechnungen zu verwalten. Der Link funktioniert nur einmal.
login-link-again = Neuen Link anfordern
email-greeting = Guten Tag,
email-greeting-name = Guten Tag { $name },
login-email-subject = Ihr Link zur Verwaltung Ihrer Abrechnung
login-email-intro = Hier ist Ihr Link, über den Sie Ihr Abonnement, Ihre Zahlungsmethoden und Ihre Rechnungen verwalten können.
login-email-button = Abrechnung verwalten
login-email-expiry = Der Link kann einmal verwendet werden und läuft nach 15 Minuten ab.
login-email-ignore = Falls Sie diese E-Mail nicht angefordert haben, können Sie sie ignorieren.
invoice-email-subject = Rechnung { $number } von { $business }
invoice-email-due = Rechnung { $number } ist am { $date } fällig.
invoice-email-open = Rechnung { $number } ist zur Zahlung bereit.
invoice-email-paid = Rechnung { $number } wurde bezahlt. Vielen Dank!
invoice-email-pay = Rechnung ansehen und bezahlen
invoice-email-view = Rechnung ansehen

## Testauthentifizierung mit 3-D Secure

auth-title = Karte authentifizieren
auth-eyebrow = Testauthentifizierung mit 3-D Secure
auth-lead-setup = Ihre Bank bittet Sie zu bestätigen, dass Sie diese Karte für zukünftige Zahlungen speichern.
auth-lead-payment = Ihre Bank bittet Sie, diese Zahlung zu bestätigen.
auth-card = Karte
auth-card-value = { $brand } mit der Endung { $last4 }
auth-amount = Betrag
auth-purpose = Zweck
auth-purpose-setup = Karte für zukünftige Zahlungen speichern
auth-purpose-invoice = Rechnung { $number }
auth-purpose-payment = Rechnungszahlung
auth-note = Diese Seite simuliert die Prüfung durch Ihre Bank. Wählen Sie das Ergebnis, das Sie testen möchten.
auth-approve = Authentifizierung abschließen
auth-fail = Authentifizierung fehlschlagen lassen
auth-gone-heading = Dieser Link ist nicht mehr gültig
auth-gone-body = Die Authentifizierung wurde bereits abgeschlossen oder abgebrochen, oder der Link ist abgelaufen. Kehren Sie zu der Website zurück, von der Sie gekommen sind, um es erneut zu versuchen.
auth-done-heading = Authentifizierung abgeschlossen
auth-done-body = Vielen Dank. Sie können diese Seite schließen und zu der Website zurückkehren, von der Sie gekommen sind.
auth-declined-heading = Zahlung abgelehnt
auth-declined-body = Ihre Bank hat die Zahlung nach der Authentifizierung abgelehnt. Kehren Sie zu der Website zurück, von der Sie gekommen sind, um eine andere Karte zu verwenden.
auth-failed-heading = Authentifizierung fehlgeschlagen
auth-failed-body = Es wurde nichts belastet oder gespeichert. Kehren Sie zu der Website zurück, von der Sie gekommen sind, um es erneut zu versuchen oder eine andere Karte zu verwenden.
page-not-found-heading = Seite nicht gefunden
page-not-found-body = Unter dieser Adresse gibt es keine Seite. Prüfen Sie den Link, dem Sie gefolgt sind.
rate-limited-heading = Zu viele Anfragen
rate-limited-body = Bitte warten Sie einen Moment und versuchen Sie es dann erneut.

# The hosted invoice page
hosted-invoice-expired-heading = Dieser Rechnungslink ist abgelaufen
hosted-invoice-expired-body = Zu Ihrer Sicherheit funktionieren Rechnungslinks nur eine gewisse Zeit. Bitten Sie das Unternehmen, das Ihnen diese Rechnung geschickt hat, um einen neuen Link.
hosted-invoice-expired-body-named = Zu Ihrer Sicherheit funktionieren Rechnungslinks nur eine gewisse Zeit. Bitten Sie { $business } um einen neuen Link.
hosted-invoice-pay-heading = Diese Rechnung bezahlen
hosted-invoice-pay-saved = { $amount } mit { $card } bezahlen
hosted-invoice-pay-new = Oder mit einer anderen Karte bezahlen
hosted-invoice-pay-card = { $amount } bezahlen
hosted-invoice-card-note = Die Karte wird in Ihrem Konto gespeichert, um diese Rechnung zu bezahlen; Ihre Standardzahlungsmethode bleibt unverändert.
hosted-invoice-paid = Diese Rechnung ist bezahlt. Vielen Dank!
