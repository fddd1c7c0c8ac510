## Datums, intervallen en prijzen

month-1 = januari
month-2 = februari
month-3 = maart
month-4 = april
month-5 = mei
month-6 = juni
month-7 = juli
month-8 = augustus
month-9 = september
month-10 = oktober
month-11 = november
month-12 = december
date-long = { $day } { $month } { $year }
every-day = { $count ->
    [one] dag
   *[other] { $count } dagen
}
every-week = { $count ->
    [one] week
   *[other] { $count } weken
}
every-month = { $count ->
    [one] maand
   *[other] { $count } maanden
}
every-year = { $count ->
    [one] jaar
   *[other] { $count } jaar
}
price-per-interval = { $amount } / { $interval }
quantity-times = { $quantity } × { $price }
tiered-quantity-total = { $price } voor { $quantity }
card-expires = Vervalt { $date }

## Kader

default-business-name = Facturering
return-to = Terug naar { $business }
powered-by = Mogelijk gemaakt door Portico
terms = Voorwaarden
privacy = Privacy
test-mode = Testmodus
skip-to-content = Naar de inhoud
back-to-portal = Terug naar uw account
action-back = Terug

## Pagina's buiten een sessie, en fouten

link-invalid-heading = Deze link is niet geldig
link-invalid-body = De link is mogelijk verkeerd getypt, of vervangen door een nieuwere. Ga terug naar de website waar u vandaan kwam om een nieuwe link te krijgen.
session-expired-heading = Deze sessie is verlopen
session-expired-body = Voor uw veiligheid verlopen portaallinks als ze niet worden gebruikt. Ga terug naar de website waar u vandaan kwam om een nieuwe sessie te openen.
session-taken-heading = Deze link is al gebruikt
session-taken-body = Deze link naar het klantportaal is in een andere browser geopend. Voor uw veiligheid werkt hij alleen daar. Ga terug naar de website waar u vandaan kwam om een nieuwe link te krijgen.
customer-gone-heading = Dit account is niet meer beschikbaar
customer-gone-body = Er hoort geen klantaccount meer bij deze link.
error-heading = Er is iets misgegaan
error-body = We konden deze stap niet voltooien. Er is niets in rekening gebracht. Probeer het zo meteen opnieuw.
form-expired-heading = Probeer het opnieuw
form-expired-body = Dit formulier is verlopen of in een andere browser geopend. Ga terug, laad de pagina opnieuw en probeer het nog eens.
not-found-heading = Niet gevonden
not-found-body = Deze pagina bestaat niet of hoort niet bij uw account.

## Startpagina

home-title = Uw facturering
home-subscriptions =
    { $count ->
        [one] Huidig abonnement
       *[other] Huidige abonnementen
    }
home-no-subscriptions = U heeft geen actieve abonnementen.
home-credit = Uw account heeft een tegoed van { $amount }, dat wordt gebruikt voor uw volgende facturen.
home-payment-methods = Betaalmethoden
home-no-cards = Geen betaalmethode opgeslagen.
home-billing-information = Factuurgegevens
home-no-billing-information = Geen factuurgegevens opgeslagen.
home-invoice-history = Factuurgeschiedenis
home-no-invoices = Nog geen facturen.
home-older-invoices = Oudere facturen
sub-renews-on = Wordt verlengd op { $date }
sub-incomplete-pay = De eerste factuur wacht op betaling: betaal deze om het abonnement te starten.
sub-past-due-pay = Een betaling is mislukt en de factuur staat nog open: betaal deze om het abonnement te behouden.
sub-overdue-pay = Een factuur is over de vervaldatum: betaal hem om je abonnement te behouden.
action-pay-invoice = Factuur betalen
sub-cancels-on = Eindigt op { $date }
sub-trial-ends = Proefperiode eindigt op { $date }
sub-paused = Gepauzeerd sinds { $date }
sub-changes-on = Wijzigt op { $date } naar { $product } ({ $price })
sub-change-waiting = Een wijziging naar { $product } ({ $price }) wacht op verificatie van uw kaart.
sub-discount = Korting
sub-discount-until = { $off } tot { $date }
status-trialing = Proefperiode
status-past-due = Achterstallig
status-incomplete = Onvolledig
status-paused = Gepauzeerd
status-canceling = Wordt opgezegd
card-default = Standaard
action-update-subscription = Abonnement bijwerken
action-cancel-subscription = Abonnement opzeggen
action-renew-subscription = Abonnement verlengen
action-make-default = Als standaard instellen
action-remove = Verwijderen
action-add-payment-method = Betaalmethode toevoegen
action-update-information = Gegevens bijwerken
card-keep-heading = Deze betaalmethode kan niet worden verwijderd
card-keep-body = Uw abonnement heeft een standaardbetaalmethode nodig. Voeg een andere kaart toe en stel die in als standaard voordat u deze verwijdert.
card-remove-title = Deze kaart verwijderen?
card-remove-body = { $card } ({ $expires }) wordt uit uw account verwijderd. U kunt de kaart altijd opnieuw toevoegen.
action-remove-card = Kaart verwijderen
action-keep-card = Kaart behouden
notice-canceled = Uw abonnement is opgezegd.
notice-canceling = Uw abonnement wordt aan het einde van de factureringsperiode opgezegd.
notice-retained = Uw aanbieding is toegepast.
notice-updated = Uw abonnement is bijgewerkt.
notice-scheduled = Uw abonnementswijziging is ingepland.
notice-renewed = Uw abonnement is verlengd.
notice-card-added = Uw betaalmethode is toegevoegd.
notice-default-set = Uw standaardbetaalmethode is bijgewerkt.
notice-card-removed = Uw betaalmethode is verwijderd.
notice-info-saved = Uw factuurgegevens zijn opgeslagen.

## Factuurgegevens

billing-title = Factuurgegevens
billing-lead = Deze gegevens worden op uw facturen vermeld.
billing-fix-errors = Corrigeer de gemarkeerde velden.
field-name = Naam
field-email = E-mailadres
field-phone = Telefoonnummer
field-billing-address = Factuuradres
field-shipping-address = Verzendadres
field-shipping-name = Naam ontvanger
field-line1 = Adresregel 1
field-line2 = Adresregel 2 (optioneel)
field-city = Plaats
field-postal-code = Postcode
field-state = Provincie of regio
field-country = Land
field-country-hint = Landcode van twee letters, zoals NL of BE.
action-save = Opslaan
action-cancel = Annuleren
error-too-long = Dit is te lang: maximaal { $max } tekens.
error-email = Voer een geldig e-mailadres in.
error-email-required = Vul uw e-mailadres in.
error-country = Voer de tweeletterige code van een land in, zoals US of DE.
error-shipping-name = Voor een verzendadres is de naam van de ontvanger nodig.
error-address-required = Voer Adresregel 1, Plaats en Land in, of maak alle velden leeg om het adres te verwijderen.
error-address-region = Voer voor een adres in de Verenigde Staten of Canada ook Provincie of regio en Postcode in.
error-phone = Voer een geldig telefoonnummer in, zoals +31 20 123 4567.

## Kaarten

card-add-title = Betaalmethode toevoegen
card-update-title = Uw betaalmethode bijwerken
card-lead = Uw kaart wordt veilig opgeslagen en gebruikt voor uw toekomstige facturen.
card-default-note = Deze kaart wordt uw standaardbetaalmethode.
card-test-hint = Testmodus: gebruik 4242 4242 4242 4242 met een willekeurige datum in de toekomst en een willekeurige CVC. 4000 0000 0000 0002 wordt geweigerd; 4000 0027 6000 3184 vraagt om 3-D Secure.
field-card-number = Kaartnummer
field-card-expiry = Vervaldatum
field-card-expiry-placeholder = MM / JJ
field-card-cvc = Beveiligingscode
field-card-cvc-placeholder = CVC
field-cardholder = Naam op kaart
action-add-card = Kaart toevoegen
action-update-payment-method = Betaalmethode bijwerken
card-error-number = Uw kaartnummer is ongeldig.
card-error-expiry = De vervaldatum van uw kaart is ongeldig.
card-error-cvc = De beveiligingscode van uw kaart is ongeldig.
card-error-expired = Uw kaart is verlopen.
card-error-declined = Uw kaart is geweigerd.
card-error-insufficient-funds = Er is onvoldoende saldo op uw kaart.
card-error-authentication = We konden uw betaalmethode niet verifiëren. Kies een andere betaalmethode en probeer het opnieuw.

## Opzeggen

cancel-title = Uw abonnement opzeggen
cancel-end-consequence = Uw abonnement op { $product } wordt opgezegd, maar blijft beschikbaar tot het einde van uw factuurperiode op { $date }.
cancel-now-consequence = Uw abonnement op { $product } eindigt direct.
cancel-credit-note = Ongebruikte tijd in uw huidige periode wordt als tegoed op uw account bijgeschreven.
cancel-credit-amount = Ongebruikte tijd in uw huidige periode, { $amount }, wordt als tegoed op uw account bijgeschreven.
cancel-unavailable-heading = Dit abonnement kan hier niet worden opgezegd
cancel-unavailable-body = Het is al beëindigd of de opzegging is al ingepland.
action-keep-subscription = Abonnement behouden
reason-question = Waarom zegt u op? (optioneel)
reason-comment = Wilt u verder nog iets met ons delen?
reason-comment-hint = Optioneel. Laat ons weten wat we beter kunnen doen.
reason-customer-service = De klantenservice viel tegen
reason-low-quality = De kwaliteit viel tegen
reason-missing-features = Er ontbreken functies
reason-other = Andere reden
reason-switched-service = Ik stap over naar een andere dienst
reason-too-complex = Het gebruiksgemak viel tegen
reason-too-expensive = Het is te duur
reason-unused = Ik gebruik de dienst te weinig
error-reason = Kies een van de vermelde redenen.
error-comment-too-long = Uw opmerking is te lang.
offer-title = Voordat u gaat
offer-lead = We zouden het fijn vinden als u blijft. Daarom hebben we een aanbieding voor u.
offer-headline = { $off } { $when }
offer-percent-off = { $percent }% korting
offer-amount-off = { $amount } korting
offer-once = op uw volgende factuur
offer-forever = zolang u abonnee blijft
offer-months = { $months ->
    [one] gedurende 1 maand
   *[other] gedurende { $months } maanden
}
offer-detail = De korting wordt direct op uw abonnement toegepast. U betaalt vandaag niets extra.
offer-next-invoice = Uw volgende factuur, op { $date }, bedraagt { $now } in plaats van { $was }.
action-accept-offer = Aanbieding accepteren
action-decline-offer-cancel = Nee, bedankt, abonnement opzeggen
offer-unavailable-heading = Deze aanbieding is niet meer beschikbaar
offer-unavailable-body = De aanbieding kan niet meer op uw abonnement worden toegepast. Er is niets gewijzigd.

## Abonnement wijzigen

update-title = Uw abonnement bijwerken
update-current = Huidig abonnement:
update-current-badge = Huidig
update-choose-plan = Kies een abonnement
update-interval-label = Factureringsinterval
update-nothing-else = Er is op dit moment geen ander abonnement om naar over te stappen.
interval-tab-day = Dagelijks
interval-tab-week = Wekelijks
interval-tab-month = Maandelijks
interval-tab-year = Jaarlijks
field-quantity = Aantal
field-promotion-code = Kortingscode
quantity-between = Tussen { $min } en { $max }.
quantity-at-least = Minimaal { $min }.
action-continue = Doorgaan
update-unavailable-heading = Dit abonnement kan hier niet worden bijgewerkt
update-unavailable-body = Het is mogelijk beëindigd, de opzegging is al ingepland of er staat al een wijziging klaar.
update-waiting-heading = Uw abonnementswijziging wacht op verificatie
update-waiting-body = Uw bank vraagt de betaling voor deze wijziging te bevestigen. Verifieer de betaling om de wijziging door te voeren; anders blijft uw abonnement zoals het is.
update-waiting-action = Betaling verifiëren
error-plan = Kies een van de aangeboden abonnementen.
error-quantity = Voer een geheel getal van minimaal 1 in.
error-promotion-code = Deze kortingscode is ongeldig of kan niet voor dit abonnement worden gebruikt.
error-no-change = Kies een ander abonnement of aantal.
confirm-no-change-heading = Niets te wijzigen
confirm-no-change-body = U heeft dit abonnement al, dus er valt niets te bevestigen.
change-unavailable-heading = Deze wijziging is niet meer beschikbaar
change-unavailable-body = Iets wat ervoor nodig is, zoals het abonnement of de korting, wordt niet meer aangeboden. Er is niets gewijzigd.
preview-title = Uw nieuwe abonnement bevestigen
preview-current-plan = Huidig abonnement
preview-new-plan = Nieuw abonnement
preview-timing-now = Uw abonnement wijzigt zodra u bevestigt.
preview-timing-later = Uw abonnement wijzigt op { $date }, aan het einde van uw huidige factuurperiode. Tot die tijd wordt er niets in rekening gebracht.
preview-timing-trial-ends = Uw proefperiode eindigt zodra u bevestigt en uw nieuwe abonnement gaat vandaag in.
preview-timing-trial-continues = Uw proefperiode loopt door; uw nieuwe abonnement gaat in na afloop van de proefperiode.
preview-lines-caption = Kosten en tegoeden voor deze wijziging
preview-lines-next-invoice = Deze kosten en tegoeden worden aan uw volgende factuur toegevoegd.
preview-discount = Korting
preview-discount-applied = Toegepast op uw abonnement
preview-discount-next = Korting op de volgende factuur
preview-due-today = Vandaag te betalen
preview-paid-with = Wordt afgeschreven van { $card }
preview-sent-invoice = Je ontvangt een factuur voor dit bedrag, te betalen vóór { $date }.
preview-next-invoice = Volgende factuur op { $date }
preview-credit = Uw accountsaldo bevat daarna een tegoed van { $amount }, dat wordt gebruikt voor uw volgende facturen.
action-confirm = Bevestigen
action-use-another-card = Een andere kaart gebruiken
line-unused-time = Ongebruikte tijd voor { $quantity } × { $product }
line-remaining-time = Resterende tijd voor { $quantity } × { $product }
line-one-off = { $quantity } × { $product }
line-unnamed = Post
line-period = { $quantity } × { $product } ({ $start } – { $end })
line-period-flat = { $product } ({ $start } – { $end })
line-tier = { $product } · staffel { $tier }
update-not-applied-heading = Uw abonnement is niet gewijzigd
update-not-applied-body = De betaling voor deze wijziging is niet gelukt, dus er is niets gewijzigd.

## Bevestiging

done-card-heading = Betaalmethode bijgewerkt
done-card-body = Uw { $brand } eindigend op { $last4 } is nu uw standaardbetaalmethode.
done-canceled-heading = Abonnement opgezegd
done-canceled-now = Uw abonnement op { $product } is opgezegd.
done-canceled-later = Uw abonnement op { $product } eindigt op { $date }. Tot die datum kunt u het blijven gebruiken.
done-retained-heading = Aanbieding geaccepteerd
done-retained-body = Bedankt dat u blijft! De korting is toegepast op uw abonnement op { $product }.
done-updated-heading = Abonnement bijgewerkt
done-updated-now = U heeft nu { $product } ({ $price }).
done-updated-later = Uw abonnement wijzigt op { $date } naar { $product } ({ $price }).
done-charged = Er is { $amount } in rekening gebracht.
done-close = U kunt deze pagina sluiten.

## Facturen

invoice-title = Factuur
invoice-date = Datum
invoice-due-on = Vervaldatum
invoice-paid-on = Betaald op
invoice-period = Periode
invoice-billed-to = Gefactureerd aan
invoice-lines = Factuurregels
invoice-description = Omschrijving
invoice-amount = Bedrag
invoice-subtotal = Subtotaal
invoice-discount = Korting
invoice-balance = Verrekend saldo
invoice-total = Totaal
invoice-amount-paid = Betaald bedrag
invoice-amount-due = Te betalen bedrag
invoice-status-paid = Betaald
invoice-status-open = Openstaand
invoice-status-void = Ongeldig
invoice-status-uncollectible = Oninbaar
invoice-status-draft = Concept
invoice-needs-authentication = U moet deze betaling bij uw bank bevestigen.
action-complete-payment = Betaling voltooien

## Inlogpagina en de bijbehorende e-mail

login-title = Inloggen op uw klantportaal
login-lead = Voer het e-mailadres in dat u bij { $business } gebruikt. We sturen u een e-mail met een link om uw facturering te beheren.
action-send-link = Stuur mij een link
login-sent-heading = Controleer uw e-mail
login-sent-body = Als { $email } bij een account hoort, hebben we er een inloglink naartoe gestuurd.
login-sent-note = De link werkt één keer en verloopt na 15 minuten. Niets ontvangen? Kijk in uw spammap of probeer het over een paar minuten opnieuw.
login-limited-heading = Te veel pogingen
login-limited-body = Wacht een paar minuten voordat u een nieuwe link aanvraagt.
login-unavailable-body = Deze inlogpagina is niet meer beschikbaar. Ga terug naar de website waar u vandaan kwam om uw facturering te beheren.
login-link-used-heading = Deze link is verlopen
login-link-used-body = Inloglinks werken één keer en verlopen na 15 minuten. Vraag een nieuwe aan op de inlogpagina.
login-continue-heading = Uw factuurportaal openen
login-continue-body = Ga verder om uw abonnement, betaalmethoden en facturen te beheren. De link werkt één keer.
login-link-again = Nieuwe link aanvragen
email-greeting = Beste klant,
email-greeting-name = Beste { $name },
login-email-subject = Uw link om uw facturering te beheren
login-email-intro = Hier is uw link om uw abonnement, betaalmethoden en facturen te beheren.
login-email-button = Facturering beheren
login-email-expiry = De link werkt één keer en verloopt na 15 minuten.
login-email-ignore = Heeft u deze e-mail niet aangevraagd? Dan kunt u hem negeren.
invoice-email-subject = Factuur { $number } van { $business }
invoice-email-due = Factuur { $number } moet uiterlijk { $date } betaald zijn.
invoice-email-open = Factuur { $number } staat klaar om te betalen.
invoice-email-paid = Factuur { $number } is betaald. Bedankt!
invoice-email-pay = Factuur bekijken en betalen
invoice-email-view = Factuur bekijken

## 3-D Secure-testverificatie

auth-title = Uw kaart verifiëren
auth-eyebrow = 3-D Secure-testverificatie
auth-lead-setup = Uw bank vraagt u te bevestigen dat u deze kaart opslaat voor toekomstige betalingen.
auth-lead-payment = Uw bank vraagt u deze betaling te bevestigen.
auth-card = Kaart
auth-card-value = { $brand } eindigend op { $last4 }
auth-amount = Bedrag
auth-purpose = Doel
auth-purpose-setup = Kaart opslaan voor toekomstige betalingen
auth-purpose-invoice = Factuur { $number }
auth-purpose-payment = Betaling van factuur
auth-note = Deze pagina simuleert de controle van uw bank. Kies de uitkomst die u wilt testen.
auth-approve = Verificatie voltooien
auth-fail = Verificatie laten mislukken
auth-gone-heading = Deze link is niet meer geldig
auth-gone-body = De verificatie is al voltooid of geannuleerd, of de link is verlopen. Ga terug naar de website waar u vandaan kwam om het opnieuw te proberen.
auth-done-heading = Verificatie voltooid
auth-done-body = Bedankt. U kunt deze pagina sluiten en teruggaan naar de website waar u vandaan kwam.
auth-declined-heading = Betaling geweigerd
auth-declined-body = Uw bank heeft de betaling na verificatie geweigerd. Ga terug naar de website waar u vandaan kwam om een andere kaart te gebruiken.
auth-failed-heading = Verificatie mislukt
auth-failed-body = Er is niets in rekening gebracht of opgeslagen. Ga terug naar de website waar u vandaan kwam om het opnieuw te proberen of een andere kaart te gebruiken.
page-not-found-heading = Pagina niet gevonden
page-not-found-body = Op dit adres staat geen pagina. Controleer de link die u hebt gevolgd.
rate-limited-heading = Te veel verzoeken
rate-limited-body = Wacht even en probeer het dan opnieuw.

# The hosted invoice page
hosted-invoice-expired-heading = Deze factuurlink is verlopen
hosted-invoice-expired-body = Voor uw veiligheid werken factuurlinks na een tijd niet meer. Neem contact op met het bedrijf dat u deze factuur stuurde voor een nieuwe link.
hosted-invoice-expired-body-named = Voor uw veiligheid werken factuurlinks na een tijd niet meer. Neem contact op met { $business } voor een nieuwe link.
hosted-invoice-pay-heading = Deze factuur betalen
hosted-invoice-pay-saved = { $amount } betalen met { $card }
hosted-invoice-pay-new = Of betaal met een andere kaart
hosted-invoice-pay-card = { $amount } betalen
hosted-invoice-card-note = De kaart wordt in uw account opgeslagen om deze factuur te betalen; uw standaardbetaalmethode blijft ongewijzigd.
hosted-invoice-paid = Deze factuur is betaald. Bedankt!
