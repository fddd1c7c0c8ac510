## Date, intervalli e prezzi

month-1 = gennaio
month-2 = febbraio
month-3 = marzo
month-4 = aprile
month-5 = maggio
month-6 = giugno
month-7 = luglio
month-8 = agosto
month-9 = settembre
month-10 = ottobre
month-11 = novembre
month-12 = dicembre
date-long = { $day } { $month } { $year }
every-day = { $count ->
    [one] giorno
   *[other] { $count } giorni
}
every-week = { $count ->
    [one] settimana
   *[other] { $count } settimane
}
every-month = { $count ->
    [one] mese
   *[other] { $count } mesi
}
every-year = { $count ->
    [one] anno
   *[other] { $count } anni
}
price-per-interval = { $amount } / { $interval }
quantity-times = { $quantity } × { $price }
tiered-quantity-total = { $price } per { $quantity }
card-expires = Scadenza { $date }

## Cornice

default-business-name = Fatturazione
return-to = Torna a { $business }
powered-by = Con tecnologia Portico
terms = Termini
privacy = Informativa sulla privacy
test-mode = Modalità di test
skip-to-content = Vai al contenuto
back-to-portal = Torna all'account
action-back = Indietro

## Pagine al di fuori di una sessione ed errori

link-invalid-heading = Questo link non è valido
link-invalid-body = Il link potrebbe contenere un errore di battitura oppure è stato sostituito da uno più recente. Torni al sito di provenienza per ottenere un nuovo link.
session-expired-heading = Questa sessione è scaduta
session-expired-body = Per la Sua sicurezza, i link al portale scadono se non vengono utilizzati. Torni al sito di provenienza per aprire una nuova sessione.
session-taken-heading = Questo link è già stato utilizzato
session-taken-body = Questo link al portale di fatturazione è stato aperto in un altro browser. Per la Sua sicurezza, funziona solo lì. Torni al sito di provenienza per ottenere un nuovo link.
customer-gone-heading = Questo account non è più disponibile
customer-gone-body = A questo link non è più associato alcun account di fatturazione.
error-heading = Si è verificato un errore
error-body = Non è stato possibile completare questo passaggio. Non è stato addebitato nulla. Riprovi tra qualche istante.
form-expired-heading = Riprovi
form-expired-body = Questo modulo è scaduto o è stato aperto in un altro browser. Torni indietro, ricarichi la pagina e riprovi.
not-found-heading = Contenuto non trovato
not-found-body = Questa pagina non esiste o non fa parte del Suo account.

## Pagina principale

home-title = Fatturazione
home-subscriptions =
    { $count ->
        [one] Piano attuale
       *[other] Piani attuali
    }
home-no-subscriptions = Nessun abbonamento attivo.
home-credit = Il Suo account ha un credito di { $amount }, utilizzato sulle prossime fatture.
home-payment-methods = Metodi di pagamento
home-no-cards = Nessun metodo di pagamento registrato.
home-billing-information = Informazioni di fatturazione
home-no-billing-information = Nessuna informazione di fatturazione registrata.
home-invoice-history = Cronologia fatture
home-no-invoices = Ancora nessuna fattura.
home-older-invoices = Fatture precedenti
sub-renews-on = Prossimo rinnovo: { $date }
sub-incomplete-pay = La prima fattura è in attesa di pagamento: la paghi per attivare l'abbonamento.
sub-past-due-pay = Un pagamento non è andato a buon fine e la fattura è ancora aperta: la paghi per mantenere l'abbonamento.
sub-overdue-pay = Una fattura ha superato la data di scadenza: pagala per mantenere l'abbonamento.
action-pay-invoice = Paga la fattura
sub-cancels-on = Annullamento previsto: { $date }
sub-trial-ends = Fine del periodo di prova: { $date }
sub-paused = In pausa dal { $date }
sub-changes-on = Passaggio a { $product } ({ $price }) in data { $date }
sub-change-waiting = Un passaggio a { $product } ({ $price }) è in attesa dell'autenticazione della Sua carta.
sub-discount = Sconto
sub-discount-until = { $off } fino al { $date }
status-trialing = In prova
status-past-due = Pagamento in ritardo
status-incomplete = Incompleto
status-paused = In pausa
status-canceling = In annullamento
card-default = Predefinita
action-update-subscription = Aggiorna abbonamento
action-cancel-subscription = Annulla abbonamento
action-renew-subscription = Rinnova abbonamento
action-make-default = Imposta come predefinita
action-remove = Rimuovi
action-add-payment-method = Aggiungi metodo di pagamento
action-update-information = Aggiorna informazioni
card-keep-heading = Impossibile rimuovere questo metodo di pagamento
card-keep-body = L'abbonamento richiede un metodo di pagamento predefinito. Aggiunga un'altra carta e la imposti come predefinita prima di rimuovere questa.
card-remove-title = Rimuovere questa carta?
card-remove-body = { $card } ({ $expires }) verrà rimossa dal suo account. Potrà aggiungerla di nuovo in qualsiasi momento.
action-remove-card = Rimuovi carta
action-keep-card = Mantieni carta
notice-canceled = L'abbonamento è stato annullato.
notice-canceling = L'abbonamento verrà annullato alla fine del periodo di fatturazione.
notice-retained = L'offerta è stata applicata.
notice-updated = L'abbonamento è stato aggiornato.
notice-scheduled = La modifica del piano è stata programmata.
notice-renewed = L'abbonamento è stato rinnovato.
notice-card-added = Il metodo di pagamento è stato aggiunto.
notice-default-set = Il metodo di pagamento predefinito è stato aggiornato.
notice-card-removed = Il metodo di pagamento è stato rimosso.
notice-info-saved = Le informazioni di fatturazione sono state salvate.

## Informazioni di fatturazione

billing-title = Informazioni di fatturazione
billing-lead = Queste informazioni compaiono sulle Sue fatture.
billing-fix-errors = Corregga i campi evidenziati.
field-name = Nome
field-email = Email
field-phone = Telefono
field-billing-address = Indirizzo di fatturazione
field-shipping-address = Indirizzo di spedizione
field-shipping-name = Nome del destinatario
field-line1 = Indirizzo (riga 1)
field-line2 = Indirizzo (riga 2, facoltativa)
field-city = Città
field-postal-code = Codice postale
field-state = Provincia o regione
field-country = Paese
field-country-hint = Codice del paese di due lettere, ad esempio IT o FR.
action-save = Salva
action-cancel = Annulla
error-too-long = Testo troppo lungo: massimo { $max } caratteri.
error-email = Inserisca un indirizzo email valido.
error-email-required = Inserisca il Suo indirizzo email.
error-country = Inserisca il codice di due lettere di un paese, ad esempio US o DE.
error-shipping-name = Per l'indirizzo di spedizione è necessario il nome del destinatario.
error-address-required = Inserisca Indirizzo (riga 1), Città e Paese, oppure svuoti tutti i campi per rimuovere l'indirizzo.
error-address-region = Per un indirizzo negli Stati Uniti o in Canada, inserisca anche Provincia o regione e Codice postale.
error-phone = Inserisca un numero di telefono valido, ad esempio +39 06 1234 5678.

## Carte

card-add-title = Aggiungi un metodo di pagamento
card-update-title = Aggiorna il metodo di pagamento
card-lead = La carta viene salvata in modo sicuro e utilizzata per le fatture future.
card-default-note = Questa carta diventerà il Suo metodo di pagamento predefinito.
card-test-hint = Modalità di test: utilizzi 4242 4242 4242 4242 con una qualsiasi data futura e un CVC qualsiasi. La carta 4000 0000 0000 0002 viene rifiutata; la carta 4000 0027 6000 3184 richiede 3-D Secure.
field-card-number = Numero della carta
field-card-expiry = Data di scadenza
field-card-expiry-placeholder = MM / AA
field-card-cvc = Codice di sicurezza
field-card-cvc-placeholder = CVC
field-cardholder = Nome del titolare
action-add-card = Aggiungi carta
action-update-payment-method = Aggiorna metodo di pagamento
card-error-number = Il numero della carta non è valido.
card-error-expiry = La data di scadenza della carta non è valida.
card-error-cvc = Il codice di sicurezza della carta non è valido.
card-error-expired = La carta è scaduta.
card-error-declined = La carta è stata rifiutata.
card-error-insufficient-funds = La carta non ha fondi sufficienti.
card-error-authentication = Non è stato possibile autenticare il metodo di pagamento. Scelga un altro metodo di pagamento e riprovi.

## Annullamento

cancel-title = Annulla l'abbonamento
cancel-end-consequence = L'abbonamento { $product } verrà annullato, ma resterà disponibile fino al termine del periodo di fatturazione in corso ({ $date }).
cancel-now-consequence = L'abbonamento { $product } terminerà immediatamente.
cancel-credit-note = Il tempo non utilizzato del periodo in corso verrà accreditato sul Suo account.
cancel-credit-amount = Il tempo non utilizzato del periodo in corso, pari a { $amount }, verrà accreditato sul Suo account.
cancel-unavailable-heading = Questo abbonamento non può essere annullato qui
cancel-unavailable-body = È già terminato oppure il suo annullamento è già programmato.
action-keep-subscription = Mantieni abbonamento
reason-question = Perché desidera annullare l'abbonamento? (facoltativo)
reason-comment = C'è altro che desidera comunicarci?
reason-comment-hint = Facoltativo. Ci dica cosa potremmo migliorare.
reason-customer-service = Servizio clienti inferiore alle aspettative
reason-low-quality = Qualità inferiore alle aspettative
reason-missing-features = Mancano alcune funzionalità
reason-other = Altro motivo
reason-switched-service = Passo a un altro servizio
reason-too-complex = Facilità d'uso inferiore alle aspettative
reason-too-expensive = È troppo costoso
reason-unused = Non uso abbastanza il servizio
error-reason = Scelga uno dei motivi elencati.
error-comment-too-long = Il commento è troppo lungo.
offer-title = Prima di andare
offer-lead = Ci piacerebbe che restasse con noi. Ecco un'offerta per Lei.
offer-headline = { $off } { $when }
offer-percent-off = { $percent }% di sconto
offer-amount-off = { $amount } di sconto
offer-once = sulla prossima fattura
offer-forever = per tutta la durata dell'abbonamento
offer-months = { $months ->
    [one] per 1 mese
   *[other] per { $months } mesi
}
offer-detail = Lo sconto si applica subito all'abbonamento. Oggi non Le verrà addebitato alcun importo aggiuntivo.
offer-next-invoice = La Sua prossima fattura, il { $date }, sarà di { $now } anziché { $was }.
action-accept-offer = Accetta offerta
action-decline-offer-cancel = No grazie, annulla abbonamento
offer-unavailable-heading = Questa offerta non è più disponibile
offer-unavailable-body = Non è più possibile applicare l'offerta all'abbonamento. Non è stato modificato nulla.

## Cambio di piano

update-title = Aggiorna il piano
update-current = Piano attuale:
update-current-badge = Attuale
update-choose-plan = Scelta del piano
update-interval-label = Frequenza di fatturazione
update-nothing-else = Al momento non ci sono altri piani a cui passare con questo abbonamento.
interval-tab-day = Giornaliera
interval-tab-week = Settimanale
interval-tab-month = Mensile
interval-tab-year = Annuale
field-quantity = Quantità
field-promotion-code = Codice promozionale
quantity-between = Tra { $min } e { $max }.
quantity-at-least = Almeno { $min }.
action-continue = Continua
update-unavailable-heading = Questo abbonamento non può essere aggiornato qui
update-unavailable-body = Potrebbe essere terminato, avere un annullamento programmato oppure avere già una modifica in attesa.
update-waiting-heading = Il cambio di piano è in attesa di autenticazione
update-waiting-body = La Sua banca ha chiesto di confermare il pagamento di questo cambio. Lo autentichi per applicare il cambio; altrimenti il Suo piano resta invariato.
update-waiting-action = Autentica il pagamento
error-plan = Scelga uno dei piani proposti.
error-quantity = Inserisca un numero intero pari ad almeno 1.
error-promotion-code = Questo codice promozionale non è valido o non può essere utilizzato con questo piano.
error-no-change = Scelga un piano o una quantità diversi.
confirm-no-change-heading = Nessuna modifica
confirm-no-change-body = Il Suo abbonamento ha già questo piano: non c’è nulla da confermare.
change-unavailable-heading = Questa modifica non è più disponibile
change-unavailable-body = Qualcosa di cui ha bisogno, come il piano o lo sconto, non è più offerto. Non è stato modificato nulla.
preview-title = Conferma del nuovo piano
preview-current-plan = Piano attuale
preview-new-plan = Nuovo piano
preview-timing-now = Il piano cambierà non appena avrà confermato.
preview-timing-later = Il piano cambierà al termine del periodo di fatturazione in corso ({ $date }). Fino ad allora non Le verrà addebitato nulla.
preview-timing-trial-ends = Il periodo di prova terminerà non appena avrà confermato e il nuovo piano inizierà oggi.
preview-timing-trial-continues = Il periodo di prova prosegue; il nuovo piano si applicherà dalla fine del periodo di prova.
preview-lines-caption = Addebiti e accrediti per questa modifica
preview-lines-next-invoice = Questi addebiti e accrediti verranno aggiunti alla Sua prossima fattura.
preview-discount = Sconto
preview-discount-applied = Applicato all'abbonamento
preview-discount-next = Sconto sulla prossima fattura
preview-due-today = Importo dovuto oggi
preview-paid-with = Addebitato su { $card }
preview-sent-invoice = Riceverai una fattura per questo importo, con scadenza il { $date }.
preview-next-invoice = Prossima fattura ({ $date })
preview-credit = Il saldo del Suo account avrà un credito di { $amount }, utilizzato sulle prossime fatture.
action-confirm = Conferma
action-use-another-card = Usa un'altra carta
line-unused-time = Tempo non utilizzato di { $quantity } × { $product }
line-remaining-time = Tempo residuo di { $quantity } × { $product }
line-one-off = { $quantity } × { $product }
line-unnamed = Voce
line-period = { $quantity } × { $product } ({ $start } – { $end })
line-period-flat = { $product } ({ $start } – { $end })
line-tier = { $product } · fascia { $tier }
update-not-applied-heading = Il piano non è stato modificato
update-not-applied-body = Il pagamento per questa modifica non è andato a buon fine, quindi non è stato modificato nulla.

## Conferma

done-card-heading = Metodo di pagamento aggiornato
done-card-body = La carta { $brand } che termina con { $last4 } è ora il Suo metodo di pagamento predefinito.
done-canceled-heading = Abbonamento annullato
done-canceled-now = L'abbonamento { $product } è stato annullato.
done-canceled-later = L'abbonamento { $product } terminerà in data { $date }. Potrà utilizzarlo fino ad allora.
done-retained-heading = Offerta accettata
done-retained-body = Grazie per la fiducia! Lo sconto è stato applicato all'abbonamento { $product }.
done-updated-heading = Abbonamento aggiornato
done-updated-now = Il Suo piano attuale è { $product } ({ $price }).
done-updated-later = Il Suo piano passerà a { $product } ({ $price }) in data { $date }.
done-charged = Le è stato addebitato un importo di { $amount }.
done-close = Può chiudere questa pagina.

## Fatture

invoice-title = Fattura
invoice-date = Data
invoice-due-on = Data di scadenza
invoice-paid-on = Data di pagamento
invoice-period = Periodo
invoice-billed-to = Intestata a
invoice-lines = Voci
invoice-description = Descrizione
invoice-amount = Importo
invoice-subtotal = Subtotale
invoice-discount = Sconto
invoice-balance = Saldo applicato
invoice-total = Totale
invoice-amount-paid = Importo pagato
invoice-amount-due = Importo dovuto
invoice-status-paid = Pagata
invoice-status-open = Aperta
invoice-status-void = Annullata
invoice-status-uncollectible = Non riscuotibile
invoice-status-draft = Bozza
invoice-needs-authentication = Questo pagamento richiede una conferma presso la Sua banca.
action-complete-payment = Completa il pagamento

## Pagina di accesso e relativa email

login-title = Accesso al portale di fatturazione
login-lead = Inserisca l'indirizzo email che utilizza con { $business }. Le invieremo via email un link per gestire la fatturazione.
action-send-link = Inviami un link via email
login-sent-heading = Controlli la Sua casella di posta
login-sent-body = Se { $email } è associato a un account, abbiamo inviato a questo indirizzo un link di accesso.
login-sent-note = Il link può essere utilizzato una sola volta e scade dopo 15 minuti. Non l'ha ricevuto? Controlli la cartella dello spam oppure riprovi tra qualche minuto.
login-limited-heading = Troppi tentativi
login-limited-body = Attenda qualche minuto prima di richiedere un altro link.
login-unavailable-body = Questa pagina di accesso non è più disponibile. Torni al sito di provenienza per gestire la fatturazione.
login-link-used-heading = Questo link è scaduto
login-link-used-body = I link di accesso possono essere utilizzati una sola volta e scadono dopo 15 minuti. Ne richieda uno nuovo dalla pagina di accesso.
login-continue-heading = Apri il portale di fatturazione
login-continue-body = Continui per gestire l'abbonamento, i metodi di pagamento e le fatture. Il link funziona una sola volta.
login-link-again = Richiedi un nuovo link
email-greeting = Buongiorno,
email-greeting-name = Buongiorno { $name },
login-email-subject = Il Suo link per gestire la fatturazione
login-email-intro = Ecco il link per gestire abbonamento, metodi di pagamento e fatture.
login-email-button = Gestisci fatturazione
login-email-expiry = Il link può essere utilizzato una sola volta e scade dopo 15 minuti.
login-email-ignore = Se non ha richiesto questa email, può ignorarla.
invoice-email-subject = Fattura { $number } da { $business }
invoice-email-due = La fattura { $number } scade il { $date }.
invoice-email-open = La fattura { $number } è pronta per il pagamento.
invoice-email-paid = La fattura { $number } è stata pagata. Grazie!
invoice-email-pay = Visualizza e paga la fattura
invoice-email-view = Visualizza la fattura

## Autenticazione 3-D Secure di prova

auth-title = Autenticazione della carta
auth-eyebrow = Autenticazione 3-D Secure di prova
auth-lead-setup = La Sua banca Le chiede di confermare che sta salvando questa carta per pagamenti futuri.
auth-lead-payment = La Sua banca Le chiede di confermare questo pagamento.
auth-card = Carta
auth-card-value = { $brand } che termina con { $last4 }
auth-amount = Importo
auth-purpose = Finalità
auth-purpose-setup = Salvataggio della carta per pagamenti futuri
auth-purpose-invoice = Fattura { $number }
auth-purpose-payment = Pagamento della fattura
auth-note = Questa pagina simula la verifica della Sua banca. Scelga l'esito da simulare.
auth-approve = Completa autenticazione
auth-fail = Simula autenticazione non riuscita
auth-gone-heading = Questo link non è più valido
auth-gone-body = L'autenticazione è già stata completata o annullata, oppure il link è scaduto. Torni al sito di provenienza per riprovare.
auth-done-heading = Autenticazione completata
auth-done-body = Grazie. Può chiudere questa pagina e tornare al sito di provenienza.
auth-declined-heading = Pagamento rifiutato
auth-declined-body = La Sua banca ha rifiutato il pagamento dopo l'autenticazione. Torni al sito di provenienza per utilizzare un'altra carta.
auth-failed-heading = Autenticazione non riuscita
auth-failed-body = Non è stato addebitato né salvato nulla. Torni al sito di provenienza per riprovare o utilizzare un'altra carta.
page-not-found-heading = Pagina non trovata
page-not-found-body = Non c'è nessuna pagina a questo indirizzo. Controlli il link che ha seguito.
rate-limited-heading = Troppe richieste
rate-limited-body = Attenda un momento, poi riprovi.

# The hosted invoice page
hosted-invoice-expired-heading = Questo link alla fattura è scaduto
hosted-invoice-expired-body = Per la sua sicurezza, i link alle fatture smettono di funzionare dopo un certo tempo. Contatti l'azienda che le ha inviato questa fattura per ricevere un nuovo link.
hosted-invoice-expired-body-named = Per la sua sicurezza, i link alle fatture smettono di funzionare dopo un certo tempo. Contatti { $business } per ricevere un nuovo link.
hosted-invoice-pay-heading = Paga questa fattura
hosted-invoice-pay-saved = Paga { $amount } con { $card }
hosted-invoice-pay-new = Oppure paga con un'altra carta
hosted-invoice-pay-card = Paga { $amount }
hosted-invoice-card-note = La carta viene salvata nel suo account per pagare questa fattura; il metodo di pagamento predefinito resta invariato.
hosted-invoice-paid = Questa fattura è pagata. Grazie!
