## Fechas, intervalos y precios

month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre
date-long = { $day } de { $month } de { $year }
every-day = { $count ->
    [one] día
   *[other] { $count } días
}
every-week = { $count ->
    [one] semana
   *[other] { $count } semanas
}
every-month = { $count ->
    [one] mes
   *[other] { $count } meses
}
every-year = { $count ->
    [one] año
   *[other] { $count } años
}
price-per-interval = { $amount } / { $interval }
quantity-times = { $quantity } × { $price }
tiered-quantity-total = { $price } por { $quantity }
card-expires = Vence: { $date }

## Marco

default-business-name = Facturación
return-to = Volver a { $business }
powered-by = Con la tecnología de Portico
terms = Condiciones
privacy = Privacidad
test-mode = Modo de prueba
skip-to-content = Ir al contenido
back-to-portal = Volver a su cuenta
action-back = Volver

## Páginas fuera de una sesión y errores

link-invalid-heading = Este enlace no es válido
link-invalid-body = Es posible que el enlace esté mal escrito o que se haya reemplazado por uno más reciente. Vuelva al sitio del que procede para obtener un enlace nuevo.
session-expired-heading = Esta sesión ha caducado
session-expired-body = Por su seguridad, los enlaces del portal caducan cuando no se utilizan. Vuelva al sitio del que procede para abrir una nueva sesión.
session-taken-heading = Este enlace ya se ha utilizado
session-taken-body = Este enlace al portal de facturación se abrió en otro navegador. Por su seguridad, solo funciona en ese navegador. Vuelva al sitio del que procede para obtener un enlace nuevo.
customer-gone-heading = Esta cuenta ya no está disponible
customer-gone-body = Este enlace ya no corresponde a ninguna cuenta de facturación.
error-heading = Se ha producido un error
error-body = No hemos podido completar este paso. No se ha realizado ningún cargo. Vuelva a intentarlo en unos instantes.
form-expired-heading = Vuelva a intentarlo
form-expired-body = Este formulario ha caducado o se abrió en otro navegador. Vuelva atrás, recargue la página e inténtelo de nuevo.
not-found-heading = No encontrado
not-found-body = Esta página no existe o no forma parte de su cuenta.

## Página de inicio

home-title = Su facturación
home-subscriptions =
    { $count ->
        [one] Plan actual
       *[other] Planes actuales
    }
home-no-subscriptions = No tiene ninguna suscripción activa.
home-credit = Su cuenta tiene un crédito de { $amount }, que se usará en sus próximas facturas.
home-payment-methods = Métodos de pago
home-no-cards = No hay ningún método de pago registrado.
home-billing-information = Información de facturación
home-no-billing-information = No hay información de facturación registrada.
home-invoice-history = Historial de facturas
home-no-invoices = Todavía no hay facturas.
home-older-invoices = Facturas anteriores
sub-renews-on = Se renueva el { $date }
sub-incomplete-pay = Su primera factura está pendiente de pago: páguela para iniciar la suscripción.
sub-past-due-pay = Un pago no se completó y la factura sigue abierta: páguela para mantener la suscripción.
sub-overdue-pay = Una factura ha superado su fecha de vencimiento: págala para conservar tu suscripción.
action-pay-invoice = Pagar factura
sub-cancels-on = Se cancela el { $date }
sub-trial-ends = El período de prueba termina el { $date }
sub-paused = En pausa desde el { $date }
sub-changes-on = Cambia a { $product } ({ $price }) el { $date }
sub-change-waiting = Un cambio a { $product } ({ $price }) está esperando la autenticación de su tarjeta.
sub-discount = Descuento
sub-discount-until = { $off } hasta el { $date }
status-trialing = Prueba
status-past-due = Vencida
status-incomplete = Incompleta
status-paused = En pausa
status-canceling = Se cancelará
card-default = Predeterminado
action-update-subscription = Actualizar suscripción
action-cancel-subscription = Cancelar suscripción
action-renew-subscription = Renovar suscripción
action-make-default = Establecer como predeterminado
action-remove = Eliminar
action-add-payment-method = Añadir método de pago
action-update-information = Actualizar información
card-keep-heading = Este método de pago no se puede eliminar
card-keep-body = Su suscripción necesita un método de pago predeterminado. Añada otra tarjeta y establézcala como predeterminada antes de eliminar esta.
card-remove-title = ¿Eliminar esta tarjeta?
card-remove-body = { $card } ({ $expires }) se eliminará de su cuenta. Puede volver a añadirla en cualquier momento.
action-remove-card = Eliminar tarjeta
action-keep-card = Conservar tarjeta
notice-canceled = Su suscripción se ha cancelado.
notice-canceling = Su suscripción se cancelará al final del período de facturación.
notice-retained = Se ha aplicado su oferta.
notice-updated = Su suscripción se ha actualizado.
notice-scheduled = Se ha programado el cambio de su plan.
notice-renewed = Su suscripción se ha renovado.
notice-card-added = Se ha añadido su método de pago.
notice-default-set = Se ha actualizado su método de pago predeterminado.
notice-card-removed = Se ha eliminado su método de pago.
notice-info-saved = Se ha guardado su información de facturación.

## Información de facturación

billing-title = Información de facturación
billing-lead = Esta información aparece en sus facturas.
billing-fix-errors = Corrija los campos resaltados.
field-name = Nombre
field-email = Correo electrónico
field-phone = Teléfono
field-billing-address = Dirección de facturación
field-shipping-address = Dirección de envío
field-shipping-name = Nombre del destinatario
field-line1 = Dirección (línea 1)
field-line2 = Dirección (línea 2, opcional)
field-city = Ciudad
field-postal-code = Código postal
field-state = Provincia, estado o región
field-country = País
field-country-hint = Código de país de dos letras, como ES o MX.
action-save = Guardar
action-cancel = Cancelar
error-too-long = Este texto es demasiado largo: como máximo { $max } caracteres.
error-email = Introduzca una dirección de correo electrónico válida.
error-email-required = Introduzca su dirección de correo electrónico.
error-country = Introduzca el código de dos letras de un país, como US o DE.
error-shipping-name = Una dirección de envío necesita el nombre de un destinatario.
error-address-required = Introduzca Dirección (línea 1), Ciudad y País, o vacíe todos los campos para eliminar la dirección.
error-address-region = Para una dirección en Estados Unidos o Canadá, introduzca también Provincia, estado o región y Código postal.
error-phone = Introduzca un número de teléfono válido, como +34 912 345 678.

## Tarjetas

card-add-title = Añadir un método de pago
card-update-title = Actualizar su método de pago
card-lead = Su tarjeta se guarda de forma segura y se utilizará para sus próximas facturas.
card-default-note = Esta tarjeta pasará a ser su método de pago predeterminado.
card-test-hint = Modo de prueba: use 4242 4242 4242 4242 con cualquier fecha futura y cualquier CVC. La tarjeta 4000 0000 0000 0002 se rechaza; la 4000 0027 6000 3184 solicita 3-D Secure.
field-card-number = Número de tarjeta
field-card-expiry = Fecha de vencimiento
field-card-expiry-placeholder = MM / AA
field-card-cvc = Código de seguridad
field-card-cvc-placeholder = CVC
field-cardholder = Nombre en la tarjeta
action-add-card = Añadir tarjeta
action-update-payment-method = Actualizar método de pago
card-error-number = El número de su tarjeta no es válido.
card-error-expiry = La fecha de vencimiento de su tarjeta no es válida.
card-error-cvc = El código de seguridad de su tarjeta no es válido.
card-error-expired = Su tarjeta ha caducado.
card-error-declined = Su tarjeta ha sido rechazada.
card-error-insufficient-funds = Su tarjeta no tiene fondos suficientes.
card-error-authentication = No hemos podido autenticar su método de pago. Elija otro método de pago e inténtelo de nuevo.

## Cancelación

cancel-title = Cancelar su suscripción
cancel-end-consequence = Su suscripción a { $product } se cancelará, pero seguirá disponible hasta el final de su período de facturación, el { $date }.
cancel-now-consequence = Su suscripción a { $product } finalizará de inmediato.
cancel-credit-note = El tiempo no utilizado del período actual se abonará en su cuenta.
cancel-credit-amount = El tiempo no utilizado del período actual, { $amount }, se abonará en su cuenta.
cancel-unavailable-heading = Esta suscripción no se puede cancelar aquí
cancel-unavailable-body = Ya ha finalizado o ya está programada para cancelarse.
action-keep-subscription = Mantener suscripción
reason-question = ¿Por qué cancela su suscripción? (opcional)
reason-comment = ¿Hay algo más que quiera comentarnos?
reason-comment-hint = Opcional. Díganos qué podríamos mejorar.
reason-customer-service = La atención al cliente no estuvo a la altura de lo esperado
reason-low-quality = La calidad no estuvo a la altura de lo esperado
reason-missing-features = Faltan algunas funciones
reason-other = Otro motivo
reason-switched-service = Voy a cambiar a otro servicio
reason-too-complex = La facilidad de uso no estuvo a la altura de lo esperado
reason-too-expensive = Es demasiado caro
reason-unused = No uso el servicio lo suficiente
error-reason = Elija uno de los motivos de la lista.
error-comment-too-long = Su comentario es demasiado largo.
offer-title = Antes de irse
offer-lead = Nos gustaría que se quedara. Tenemos una oferta para usted.
offer-headline = { $off } { $when }
offer-percent-off = { $percent } % de descuento
offer-amount-off = { $amount } de descuento
offer-once = en su próxima factura
offer-forever = mientras siga con nosotros
offer-months = { $months ->
    [one] durante 1 mes
   *[other] durante { $months } meses
}
offer-detail = El descuento se aplica a su suscripción de inmediato. Hoy no se le cobrará ningún importe adicional.
offer-next-invoice = Su próxima factura, el { $date }, será de { $now } en lugar de { $was }.
action-accept-offer = Aceptar oferta
action-decline-offer-cancel = No, gracias, cancelar suscripción
offer-unavailable-heading = Esta oferta ya no está disponible
offer-unavailable-body = La oferta ya no se puede aplicar a su suscripción. No se ha modificado nada.

## Cambio de plan

update-title = Actualizar su plan
update-current = Plan actual:
update-current-badge = Actual
update-choose-plan = Elija un plan
update-interval-label = Frecuencia de facturación
update-nothing-else = Por ahora no hay otro plan al que cambiar esta suscripción.
interval-tab-day = Diario
interval-tab-week = Semanal
interval-tab-month = Mensual
interval-tab-year = Anual
field-quantity = Cantidad
field-promotion-code = Código promocional
quantity-between = Entre { $min } y { $max }.
quantity-at-least = Como mínimo { $min }.
action-continue = Continuar
update-unavailable-heading = Esta suscripción no se puede actualizar aquí
update-unavailable-body = Es posible que haya finalizado, que esté programada para cancelarse o que ya tenga un cambio pendiente.
update-waiting-heading = Su cambio de plan está esperando la autenticación
update-waiting-body = Su banco pidió confirmar el pago de este cambio. Autentíquelo para aplicar el cambio; si no lo hace, su plan seguirá igual.
update-waiting-action = Autenticar el pago
error-plan = Elija uno de los planes ofrecidos.
error-quantity = Introduzca un número entero igual o mayor que 1.
error-promotion-code = Este código promocional no es válido o no se puede usar con este plan.
error-no-change = Elija otro plan u otra cantidad.
confirm-no-change-heading = No hay nada que cambiar
confirm-no-change-body = Su suscripción ya tiene este plan, así que no hay nada que confirmar.
change-unavailable-heading = Este cambio ya no está disponible
change-unavailable-body = Algo que necesita, como el plan o el descuento, ya no se ofrece. No se ha cambiado nada.
preview-title = Confirme su nuevo plan
preview-current-plan = Plan actual
preview-new-plan = Nuevo plan
preview-timing-now = Su plan cambiará en cuanto lo confirme.
preview-timing-later = Su plan cambiará el { $date }, al final de su período de facturación actual. No se le cobrará nada hasta entonces.
preview-timing-trial-ends = Su período de prueba terminará en cuanto lo confirme y su nuevo plan empezará hoy.
preview-timing-trial-continues = Su período de prueba continúa; el nuevo plan se aplicará a partir del final del período de prueba.
preview-lines-caption = Cargos y abonos de este cambio
preview-lines-next-invoice = Estos cargos y abonos se añadirán a su próxima factura.
preview-discount = Descuento
preview-discount-applied = Aplicado a su suscripción
preview-discount-next = Descuento en la próxima factura
preview-due-today = Importe a pagar hoy
preview-paid-with = Se cargará a { $card }
preview-sent-invoice = Recibirás una factura por este importe, con vencimiento el { $date }.
preview-next-invoice = Próxima factura el { $date }
preview-credit = El saldo de su cuenta tendrá un crédito de { $amount }, que se usará en sus próximas facturas.
action-confirm = Confirmar
action-use-another-card = Usar otra tarjeta
line-unused-time = Tiempo no utilizado de { $quantity } × { $product }
line-remaining-time = Tiempo restante de { $quantity } × { $product }
line-one-off = { $quantity } × { $product }
line-unnamed = Concepto
line-period = { $quantity } × { $product } ({ $start } – { $end })
line-period-flat = { $product } ({ $start } – { $end })
line-tier = { $product } · tramo { $tier }
update-not-applied-heading = Su plan no se ha modificado
update-not-applied-body = El pago de este cambio no se ha podido completar, por lo que no se ha modificado nada.

## Confirmación

done-card-heading = Método de pago actualizado
done-card-body = Su tarjeta { $brand } que termina en { $last4 } es ahora su método de pago predeterminado.
done-canceled-heading = Suscripción cancelada
done-canceled-now = Su suscripción a { $product } se ha cancelado.
done-canceled-later = Su suscripción a { $product } finalizará el { $date }. Puede seguir usándola hasta entonces.
done-retained-heading = Oferta aceptada
done-retained-body = ¡Gracias por quedarse! El descuento se ha aplicado a su suscripción a { $product }.
done-updated-heading = Suscripción actualizada
done-updated-now = Ahora tiene el plan { $product } ({ $price }).
done-updated-later = Su plan cambiará a { $product } ({ $price }) el { $date }.
done-charged = Se le ha cobrado { $amount }.
done-close = Ya puede cerrar esta página.

## Facturas

invoice-title = Factura
invoice-date = Fecha
invoice-due-on = Fecha de vencimiento
invoice-paid-on = Fecha de pago
invoice-period = Período
invoice-billed-to = Facturado a
invoice-lines = Conceptos
invoice-description = Descripción
invoice-amount = Importe
invoice-subtotal = Subtotal
invoice-discount = Descuento
invoice-balance = Saldo aplicado
invoice-total = Total
invoice-amount-paid = Importe pagado
invoice-amount-due = Importe adeudado
invoice-status-paid = Pagada
invoice-status-open = Abierta
invoice-status-void = Anulada
invoice-status-uncollectible = Incobrable
invoice-status-draft = Borrador
invoice-needs-authentication = Debe confirmar este pago con su banco.
action-complete-payment = Completar pago

## Página de inicio de sesión y su correo electrónico

login-title = Inicie sesión en su portal de facturación
login-lead = Introduzca la dirección de correo electrónico que utiliza con { $business }. Le enviaremos por correo electrónico un enlace para gestionar su facturación.
action-send-link = Enviarme un enlace
login-sent-heading = Revise su correo electrónico
login-sent-body = Si { $email } pertenece a una cuenta, le hemos enviado un enlace de inicio de sesión a esa dirección.
login-sent-note = El enlace solo se puede usar una vez y caduca en 15 minutos. ¿No lo ha recibido? Revise su carpeta de correo no deseado o vuelva a intentarlo dentro de unos minutos.
login-limited-heading = Demasiados intentos
login-limited-body = Espere unos minutos antes de solicitar otro enlace.
login-unavailable-body = Esta página de inicio de sesión ya no está disponible. Vuelva al sitio del que procede para gestionar su facturación.
login-link-used-heading = Este enlace ha caducado
login-link-used-body = Los enlaces de inicio de sesión solo se pueden usar una vez y caducan a los 15 minutos. Solicite uno nuevo en la página de inicio de sesión.
login-continue-heading = Abrir su portal de facturación
login-continue-body = Continúe para gestionar su suscripción, sus métodos de pago y sus facturas. El enlace solo funciona una vez.
login-link-again = Solicitar un nuevo enlace
email-greeting = Hola:
email-greeting-name = Hola, { $name }:
login-email-subject = Su enlace para gestionar su facturación
login-email-intro = Este es su enlace para gestionar su suscripción, sus métodos de pago y sus facturas.
login-email-button = Gestionar facturación
login-email-expiry = El enlace solo se puede usar una vez y caduca en 15 minutos.
login-email-ignore = Si no ha solicitado este correo electrónico, puede ignorarlo.
invoice-email-subject = Factura { $number } de { $business }
invoice-email-due = La factura { $number } vence el { $date }.
invoice-email-open = La factura { $number } está lista para pagar.
invoice-email-paid = La factura { $number } ha sido pagada. ¡Gracias!
invoice-email-pay = Ver y pagar la factura
invoice-email-view = Ver la factura

## Autenticación de prueba 3-D Secure

auth-title = Autentique su tarjeta
auth-eyebrow = Autenticación de prueba 3-D Secure
auth-lead-setup = Su banco le pide que confirme que está guardando esta tarjeta para pagos futuros.
auth-lead-payment = Su banco le pide que confirme este pago.
auth-card = Tarjeta
auth-card-value = { $brand } que termina en { $last4 }
auth-amount = Importe
auth-purpose = Finalidad
auth-purpose-setup = Guardar la tarjeta para pagos futuros
auth-purpose-invoice = Factura { $number }
auth-purpose-payment = Pago de factura
auth-note = Esta página simula la verificación de su banco. Elija el resultado que desea probar.
auth-approve = Completar autenticación
auth-fail = Hacer fallar la autenticación
auth-gone-heading = Este enlace ya no es válido
auth-gone-body = La autenticación ya se completó o se canceló, o bien el enlace ha caducado. Vuelva al sitio del que procede para intentarlo de nuevo.
auth-done-heading = Autenticación completada
auth-done-body = Gracias. Ya puede cerrar esta página y volver al sitio del que procede.
auth-declined-heading = Pago rechazado
auth-declined-body = Su banco rechazó el pago después de la autenticación. Vuelva al sitio del que procede para usar otra tarjeta.
auth-failed-heading = Error de autenticación
auth-failed-body = No se ha realizado ningún cargo ni se ha guardado nada. Vuelva al sitio del que procede para intentarlo de nuevo o usar otra tarjeta.
page-not-found-heading = Página no encontrada
page-not-found-body = No hay ninguna página en esta dirección. Compruebe el enlace que ha seguido.
rate-limited-heading = Demasiadas solicitudes
rate-limited-body = Espere un momento y vuelva a intentarlo.

# The hosted invoice page
hosted-invoice-expired-heading = Este enlace de factura ha caducado
hosted-invoice-expired-body = Por su seguridad, los enlaces de factura dejan de funcionar al cabo de un tiempo. Póngase en contacto con la empresa que le envió esta factura para obtener un enlace nuevo.
hosted-invoice-expired-body-named = Por su seguridad, los enlaces de factura dejan de funcionar al cabo de un tiempo. Póngase en contacto con { $business } para obtener un enlace nuevo.
hosted-invoice-pay-heading = Pagar esta factura
hosted-invoice-pay-saved = Pagar { $amount } con { $card }
hosted-invoice-pay-new = O pagar con otra tarjeta
hosted-invoice-pay-card = Pagar { $amount }
hosted-invoice-card-note = La tarjeta se guarda en su cuenta para pagar esta factura; su método de pago predeterminado no cambia.
hosted-invoice-paid = Esta factura está pagada. ¡Gracias!
