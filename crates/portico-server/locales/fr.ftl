## Dates, périodicités et prix

month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre
date-long = { $day } { $month } { $year }
every-day = { $count ->
    [one] jour
   *[other] { $count } jours
}
every-week = { $count ->
    [one] semaine
   *[other] { $count } semaines
}
every-month = { $count ->
    [one] mois
   *[other] { $count } mois
}
every-year = { $count ->
    [one] an
   *[other] { $count } ans
}
price-per-interval = { $amount } / { $interval }
quantity-times = { $quantity } × { $price }
tiered-quantity-total = { $price } pour { $quantity }
card-expires = Expire le { $date }

## Cadre

default-business-name = Facturation
return-to = Retour à { $business }
powered-by = Propulsé par Portico
terms = Conditions
privacy = Confidentialité
test-mode = Mode test
skip-to-content = Aller au contenu
back-to-portal = Retour à votre compte
action-back = Retour

## Pages hors session, et erreurs

link-invalid-heading = Ce lien n’est pas valide
link-invalid-body = Le lien a peut-être été mal saisi, ou il a été remplacé par un lien plus récent. Revenez sur le site d’où vous venez pour obtenir un nouveau lien.
session-expired-heading = Cette session a expiré
session-expired-body = Pour votre sécurité, les liens du portail expirent lorsqu’ils ne sont pas utilisés. Revenez sur le site d’où vous venez pour ouvrir une nouvelle session.
session-taken-heading = Ce lien a déjà été utilisé
session-taken-body = Ce lien vers le portail de facturation a été ouvert dans un autre navigateur. Pour votre sécurité, il ne fonctionne que dans celui-ci. Revenez sur le site d’où vous venez pour obtenir un nouveau lien.
customer-gone-heading = Ce compte n’est plus disponible
customer-gone-body = Ce lien n’est plus associé à aucun compte de facturation.
error-heading = Une erreur s’est produite
error-body = Nous n’avons pas pu terminer cette étape. Aucun montant n’a été débité. Veuillez réessayer dans un instant.
form-expired-heading = Veuillez réessayer
form-expired-body = Ce formulaire a expiré ou a été ouvert dans un autre navigateur. Revenez en arrière, rechargez la page et réessayez.
not-found-heading = Introuvable
not-found-body = Cette page n’existe pas ou ne fait pas partie de votre compte.

## Page d’accueil

home-title = Votre facturation
home-subscriptions =
    { $count ->
        [one] Formule actuelle
       *[other] Formules actuelles
    }
home-no-subscriptions = Vous n’avez aucun abonnement actif.
home-credit = Votre compte dispose d’un crédit de { $amount }, utilisé sur vos prochaines factures.
home-payment-methods = Moyens de paiement
home-no-cards = Aucun moyen de paiement enregistré.
home-billing-information = Informations de facturation
home-no-billing-information = Aucune information de facturation enregistrée.
home-invoice-history = Historique des factures
home-no-invoices = Aucune facture pour le moment.
home-older-invoices = Factures plus anciennes
sub-renews-on = Renouvellement le { $date }
sub-incomplete-pay = Sa première facture attend d’être payée : payez-la pour démarrer l’abonnement.
sub-past-due-pay = Un paiement a échoué et sa facture est toujours ouverte : payez-la pour conserver l’abonnement.
sub-overdue-pay = Une facture a dépassé sa date d’échéance : réglez-la pour conserver votre abonnement.
action-pay-invoice = Payer la facture
sub-cancels-on = Sera annulé le { $date }
sub-trial-ends = Fin de l’essai le { $date }
sub-paused = En pause depuis le { $date }
sub-changes-on = Passage à { $product } ({ $price }) le { $date }
sub-change-waiting = Un passage à { $product } ({ $price }) attend l’authentification de votre carte.
sub-discount = Remise
sub-discount-until = { $off } jusqu’au { $date }
status-trialing = Essai
status-past-due = Paiement en retard
status-incomplete = Incomplet
status-paused = En pause
status-canceling = Annulation prévue
card-default = Par défaut
action-update-subscription = Mettre à jour l’abonnement
action-cancel-subscription = Annuler l’abonnement
action-renew-subscription = Renouveler l’abonnement
action-make-default = Définir par défaut
action-remove = Supprimer
action-add-payment-method = Ajouter un moyen de paiement
action-update-information = Mettre à jour les informations
card-keep-heading = Ce moyen de paiement ne peut pas être supprimé
card-keep-body = Votre abonnement nécessite un moyen de paiement par défaut. Ajoutez une autre carte et définissez-la par défaut avant de supprimer celle-ci.
card-remove-title = Supprimer cette carte ?
card-remove-body = { $card } ({ $expires }) sera supprimée de votre compte. Vous pourrez l’ajouter de nouveau à tout moment.
action-remove-card = Supprimer la carte
action-keep-card = Garder la carte
notice-canceled = Votre abonnement a été annulé.
notice-canceling = Votre abonnement sera annulé à la fin de la période de facturation.
notice-retained = Votre offre a été appliquée.
notice-updated = Votre abonnement a été mis à jour.
notice-scheduled = Votre changement de formule a été programmé.
notice-renewed = Votre abonnement a été renouvelé.
notice-card-added = Votre moyen de paiement a été ajouté.
notice-default-set = Votre moyen de paiement par défaut a été mis à jour.
notice-card-removed = Votre moyen de paiement a été supprimé.
notice-info-saved = Vos informations de facturation ont été enregistrées.

## Informations de facturation

billing-title = Informations de facturation
billing-lead = Ces informations figurent sur vos factures.
billing-fix-errors = Veuillez corriger les champs signalés.
field-name = Nom
field-email = E-mail
field-phone = Téléphone
field-billing-address = Adresse de facturation
field-shipping-address = Adresse de livraison
field-shipping-name = Nom du destinataire
field-line1 = Adresse (ligne 1)
field-line2 = Complément d’adresse (facultatif)
field-city = Ville
field-postal-code = Code postal
field-state = État ou région
field-country = Pays
field-country-hint = Code pays à deux lettres, par exemple FR ou BE.
action-save = Enregistrer
action-cancel = Annuler
error-too-long = { $max ->
    [one] Ce texte est trop long : { $max } caractère au maximum.
   *[other] Ce texte est trop long : { $max } caractères au maximum.
}
error-email = Saisissez une adresse e-mail valide.
error-email-required = Saisissez votre adresse e-mail.
error-country = Saisissez le code à deux lettres d’un pays, par exemple US ou DE.
error-shipping-name = Une adresse de livraison doit comporter le nom du destinataire.
error-address-required = Saisissez Adresse (ligne 1), Ville et Pays, ou videz tous les champs pour supprimer l’adresse.
error-address-region = Pour une adresse aux États-Unis ou au Canada, saisissez aussi État ou région et Code postal.
error-phone = Saisissez un numéro de téléphone valide, par exemple +33 1 23 45 67 89.

## Cartes

card-add-title = Ajouter un moyen de paiement
card-update-title = Mettre à jour votre moyen de paiement
card-lead = Votre carte est enregistrée de manière sécurisée et sera utilisée pour vos prochaines factures.
card-default-note = Cette carte deviendra votre moyen de paiement par défaut.
card-test-hint = Mode test : utilisez 4242 4242 4242 4242 avec n’importe quelle date future et n’importe quel CVC. La carte 4000 0000 0000 0002 est refusée ; la carte 4000 0027 6000 3184 demande une authentification 3-D Secure.
field-card-number = Numéro de carte
field-card-expiry = Date d’expiration
field-card-expiry-placeholder = MM / AA
field-card-cvc = Code de sécurité
field-card-cvc-placeholder = CVC
field-cardholder = Nom du titulaire de la carte
action-add-card = Ajouter la carte
action-update-payment-method = Mettre à jour le moyen de paiement
card-error-number = Le numéro de votre carte n’est pas valide.
card-error-expiry = La date d’expiration de votre carte n’est pas valide.
card-error-cvc = Le code de sécurité de votre carte n’est pas valide.
card-error-expired = Votre carte a expiré.
card-error-declined = Votre carte a été refusée.
card-error-insufficient-funds = Les fonds de votre carte sont insuffisants.
card-error-authentication = Nous n’avons pas pu authentifier votre moyen de paiement. Choisissez un autre moyen de paiement et réessayez.

## Annulation

cancel-title = Annuler votre abonnement
cancel-end-consequence = Votre abonnement { $product } sera annulé, mais il restera disponible jusqu’à la fin de votre période de facturation, le { $date }.
cancel-now-consequence = Votre abonnement { $product } prendra fin immédiatement.
cancel-credit-note = Le temps non utilisé de votre période en cours sera crédité sur votre compte.
cancel-credit-amount = Le temps non utilisé de votre période en cours, soit { $amount }, sera crédité sur votre compte.
cancel-unavailable-heading = Cet abonnement ne peut pas être annulé ici
cancel-unavailable-body = Il a déjà pris fin, ou son annulation est déjà prévue.
action-keep-subscription = Conserver l’abonnement
reason-question = Pourquoi annulez-vous ? (facultatif)
reason-comment = Souhaitez-vous nous dire autre chose ?
reason-comment-hint = Facultatif. Dites-nous ce que nous pourrions améliorer.
reason-customer-service = Le service client n’a pas été à la hauteur de mes attentes
reason-low-quality = La qualité n’a pas été à la hauteur de mes attentes
reason-missing-features = Il manque certaines fonctionnalités
reason-other = Autre raison
reason-switched-service = Je passe à un autre service
reason-too-complex = L’utilisation est moins simple que prévu
reason-too-expensive = C’est trop cher
reason-unused = Je n’utilise pas assez le service
error-reason = Choisissez l’une des raisons proposées.
error-comment-too-long = Votre commentaire est trop long.
offer-title = Avant de partir
offer-lead = Nous aimerions que vous restiez. Voici une offre pour vous.
offer-headline = { $off } { $when }
offer-percent-off = { $percent } % de réduction
offer-amount-off = { $amount } de réduction
offer-once = sur votre prochaine facture
offer-forever = pendant toute la durée de votre abonnement
offer-months = { $months ->
    [one] pendant 1 mois
   *[other] pendant { $months } mois
}
offer-detail = La réduction s’applique immédiatement à votre abonnement. Aucun montant supplémentaire ne vous sera facturé aujourd’hui.
offer-next-invoice = Votre prochaine facture, le { $date }, s’élèvera à { $now } au lieu de { $was }.
action-accept-offer = Accepter l’offre
action-decline-offer-cancel = Non merci, annuler l’abonnement
offer-unavailable-heading = Cette offre n’est plus disponible
offer-unavailable-body = L’offre ne peut plus être appliquée à votre abonnement. Aucune modification n’a été effectuée.

## Changement de formule

update-title = Modifier votre formule
update-current = Formule actuelle :
update-current-badge = Actuelle
update-choose-plan = Choisissez une formule
update-interval-label = Fréquence de facturation
update-nothing-else = Il n’existe pour le moment aucune autre formule vers laquelle passer cet abonnement.
interval-tab-day = Quotidien
interval-tab-week = Hebdomadaire
interval-tab-month = Mensuel
interval-tab-year = Annuel
field-quantity = Quantité
field-promotion-code = Code promotionnel
quantity-between = Entre { $min } et { $max }.
quantity-at-least = Au moins { $min }.
action-continue = Continuer
update-unavailable-heading = Cet abonnement ne peut pas être modifié ici
update-unavailable-body = Il a peut-être pris fin, son annulation est peut-être prévue, ou une modification est déjà en attente.
update-waiting-heading = Votre changement de formule attend une authentification
update-waiting-body = Votre banque demande de confirmer le paiement de ce changement. Authentifiez-le pour appliquer le changement ; sinon, votre formule reste inchangée.
update-waiting-action = Authentifier le paiement
error-plan = Choisissez l’une des formules proposées.
error-quantity = Saisissez un nombre entier supérieur ou égal à 1.
error-promotion-code = Ce code promotionnel n’est pas valide ou ne peut pas être utilisé avec cette formule.
error-no-change = Choisissez une autre formule ou une autre quantité.
confirm-no-change-heading = Aucun changement
confirm-no-change-body = Votre abonnement est déjà sur cette formule : il n’y a rien à confirmer.
change-unavailable-heading = Cette modification n’est plus disponible
change-unavailable-body = Un élément dont elle dépend, comme la formule ou la remise, n’est plus proposé. Rien n’a été modifié.
preview-title = Confirmez votre nouvelle formule
preview-current-plan = Formule actuelle
preview-new-plan = Nouvelle formule
preview-timing-now = Votre formule change dès que vous confirmez.
preview-timing-later = Votre formule changera le { $date }, à la fin de votre période de facturation en cours. Aucun montant ne vous sera facturé d’ici là.
preview-timing-trial-ends = Votre période d’essai prend fin dès que vous confirmez, et votre nouvelle formule commence aujourd’hui.
preview-timing-trial-continues = Votre période d’essai continue ; votre nouvelle formule s’appliquera à la fin de l’essai.
preview-lines-caption = Frais et crédits liés à ce changement
preview-lines-next-invoice = Ces frais et crédits seront ajoutés à votre prochaine facture.
preview-discount = Réduction
preview-discount-applied = Appliquée à votre abonnement
preview-discount-next = Remise sur la prochaine facture
preview-due-today = Montant dû aujourd’hui
preview-paid-with = Débité sur { $card }
preview-sent-invoice = Une facture de ce montant vous sera envoyée, à régler avant le { $date }.
preview-next-invoice = Prochaine facture le { $date }
preview-credit = Le solde de votre compte comportera un crédit de { $amount }, utilisé sur vos prochaines factures.
action-confirm = Confirmer
action-use-another-card = Utiliser une autre carte
line-unused-time = Temps non utilisé sur { $quantity } × { $product }
line-remaining-time = Temps restant sur { $quantity } × { $product }
line-one-off = { $quantity } × { $product }
line-unnamed = Article
line-period = { $quantity } × { $product } ({ $start } – { $end })
line-period-flat = { $product } ({ $start } – { $end })
line-tier = { $product } · palier { $tier }
update-not-applied-heading = Votre formule n’a pas été modifiée
update-not-applied-body = Le paiement de ce changement n’a pas abouti ; aucune modification n’a donc été effectuée.

## Confirmation

done-card-heading = Moyen de paiement mis à jour
done-card-body = Votre carte { $brand } se terminant par { $last4 } est désormais votre moyen de paiement par défaut.
done-canceled-heading = Abonnement annulé
done-canceled-now = Votre abonnement { $product } a été annulé.
done-canceled-later = Votre abonnement { $product } prendra fin le { $date }. Vous pouvez l’utiliser jusqu’à cette date.
done-retained-heading = Offre acceptée
done-retained-body = Merci de rester avec nous ! La réduction a été appliquée à votre abonnement { $product }.
done-updated-heading = Abonnement mis à jour
done-updated-now = Vous bénéficiez désormais de la formule { $product } ({ $price }).
done-updated-later = Votre formule passera à { $product } ({ $price }) le { $date }.
done-charged = Un montant de { $amount } vous a été facturé.
done-close = Vous pouvez fermer cette page.

## Factures

invoice-title = Facture
invoice-date = Date
invoice-due-on = Date d’échéance
invoice-paid-on = Payée le
invoice-period = Période
invoice-billed-to = Facturé à
invoice-lines = Articles
invoice-description = Description
invoice-amount = Montant
invoice-subtotal = Sous-total
invoice-discount = Réduction
invoice-balance = Solde appliqué
invoice-total = Total
invoice-amount-paid = Montant payé
invoice-amount-due = Montant dû
invoice-status-paid = Payée
invoice-status-open = À payer
invoice-status-void = Annulée
invoice-status-uncollectible = Irrécouvrable
invoice-status-draft = Brouillon
invoice-needs-authentication = Ce paiement doit être confirmé auprès de votre banque.
action-complete-payment = Finaliser le paiement

## Page de connexion et son e-mail

login-title = Connectez-vous à votre portail de facturation
login-lead = Saisissez l’adresse e-mail que vous utilisez avec { $business }. Nous vous enverrons par e-mail un lien pour gérer votre facturation.
action-send-link = M’envoyer un lien par e-mail
login-sent-heading = Consultez vos e-mails
login-sent-body = Si l’adresse { $email } est associée à un compte, un lien de connexion y a été envoyé.
login-sent-note = Le lien ne fonctionne qu’une seule fois et expire dans 15 minutes. Vous ne l’avez pas reçu ? Vérifiez votre dossier de courrier indésirable ou réessayez dans quelques minutes.
login-limited-heading = Trop de tentatives
login-limited-body = Veuillez patienter quelques minutes avant de demander un nouveau lien.
login-unavailable-body = Cette page de connexion n’est plus disponible. Revenez sur le site d’où vous venez pour gérer votre facturation.
login-link-used-heading = Ce lien a expiré
login-link-used-body = Les liens de connexion ne fonctionnent qu’une seule fois et expirent au bout de 15 minutes. Demandez-en un nouveau sur la page de connexion.
login-continue-heading = Ouvrir votre portail de facturation
login-continue-body = Continuez pour gérer votre abonnement, vos moyens de paiement et vos factures. Le lien ne fonctionne qu’une fois.
login-link-again = Recevoir un nouveau lien
email-greeting = Bonjour,
email-greeting-name = Bonjour { $name },
login-email-subject = Votre lien pour gérer votre facturation
login-email-intro = Voici votre lien pour gérer votre abonnement, vos moyens de paiement et vos factures.
login-email-button = Gérer la facturation
login-email-expiry = Ce lien ne fonctionne qu’une seule fois et expire dans 15 minutes.
login-email-ignore = Si vous n’avez pas demandé cet e-mail, vous pouvez l’ignorer.
invoice-email-subject = Facture { $number } de { $business }
invoice-email-due = La facture { $number } est à régler avant le { $date }.
invoice-email-open = La facture { $number } est prête à être réglée.
invoice-email-paid = La facture { $number } a été réglée. Merci !
invoice-email-pay = Voir et régler la facture
invoice-email-view = Voir la facture

## Authentification 3-D Secure de test

auth-title = Authentifiez votre carte
auth-eyebrow = Authentification 3-D Secure de test
auth-lead-setup = Votre banque vous demande de confirmer que vous enregistrez cette carte pour de futurs paiements.
auth-lead-payment = Votre banque vous demande de confirmer ce paiement.
auth-card = Carte
auth-card-value = { $brand } se terminant par { $last4 }
auth-amount = Montant
auth-purpose = Objet
auth-purpose-setup = Enregistrement de la carte pour de futurs paiements
auth-purpose-invoice = Facture { $number }
auth-purpose-payment = Paiement de facture
auth-note = Cette page simule la vérification de votre banque. Choisissez le résultat à tester.
auth-approve = Valider l’authentification
auth-fail = Faire échouer l’authentification
auth-gone-heading = Ce lien n’est plus valide
auth-gone-body = L’authentification a déjà été effectuée ou annulée, ou le lien a expiré. Revenez sur le site d’où vous venez pour réessayer.
auth-done-heading = Authentification terminée
auth-done-body = Merci. Vous pouvez fermer cette page et revenir sur le site d’où vous venez.
auth-declined-heading = Paiement refusé
auth-declined-body = Votre banque a refusé le paiement après l’authentification. Revenez sur le site d’où vous venez pour utiliser une autre carte.
auth-failed-heading = Échec de l’authentification
auth-failed-body = Aucun montant n’a été débité et aucune carte n’a été enregistrée. Revenez sur le site d’où vous venez pour réessayer ou utiliser une autre carte.
page-not-found-heading = Page introuvable
page-not-found-body = Il n’y a aucune page à cette adresse. Vérifiez le lien que vous avez suivi.
rate-limited-heading = Trop de requêtes
rate-limited-body = Veuillez patienter un instant, puis réessayer.

# The hosted invoice page
hosted-invoice-expired-heading = Ce lien de facture a expiré
hosted-invoice-expired-body = Pour votre sécurité, les liens de facture cessent de fonctionner au bout d’un certain temps. Contactez l’entreprise qui vous a envoyé cette facture pour obtenir un nouveau lien.
hosted-invoice-expired-body-named = Pour votre sécurité, les liens de facture cessent de fonctionner au bout d’un certain temps. Contactez { $business } pour obtenir un nouveau lien.
hosted-invoice-pay-heading = Payer cette facture
hosted-invoice-pay-saved = Payer { $amount } avec { $card }
hosted-invoice-pay-new = Ou payer avec une autre carte
hosted-invoice-pay-card = Payer { $amount }
hosted-invoice-card-note = La carte est enregistrée sur votre compte pour payer cette facture ; votre moyen de paiement par défaut reste inchangé.
hosted-invoice-paid = Cette facture est payée. Merci !
