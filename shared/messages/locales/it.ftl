open = Apri in cleanops
footer = Ricevi questo messaggio in base alle tue impostazioni di notifica in cleanops.
secret-footer = Se non aspettavi questo messaggio, ignoralo: non cambia nulla.
role-admin = amministratore
role-dispatcher = dispatcher
role-cleaner = addetta alle pulizie
role-customer = cliente

cleanerLate-subject = { $cleaner } non ha fatto il check-in a { $site }
cleanerLate-body = { $cleaner } non ha fatto il check-in a { $site } e la finestra di pulizia è finita alle { $time }. { $stops ->
    [one] Un locale è ancora da fare.
   *[other] { $stops } locali sono ancora da fare.
}
cleanerLate-sms = cleanops: { $cleaner } senza check-in a { $site } (finestra finita alle { $time }).

visitSkipped-subject = { $status ->
    [not-accessible] { $area } a { $site } non era accessibile
   *[other] { $area } a { $site } è stato saltato
}
visitSkipped-body = { $cleaner } { $status ->
    [not-accessible] non è riuscita a entrare in
   *[other] ha saltato
} { $area } a { $site } alle { $time }. Motivo: { $reason }
visitSkipped-sms = cleanops: { $area } a { $site } { $status ->
    [not-accessible] non accessibile
   *[other] saltato
} ({ $cleaner }, { $time }): { $reason }

inspectionFailed-subject = Controllo a { $site }: { $score } %
inspectionFailed-body = Il controllo qualità a { $site } del { $date } ha ottenuto { $score } %, sotto il { $threshold } % concordato. Il dispatcher ne parlerà con la squadra.
inspectionFailed-sms = cleanops: controllo a { $site } del { $date }: { $score } % (soglia { $threshold } %).

planActivated-subject = La tua settimana dal { $date }
planActivated-body = Il tuo piano è cambiato. Dal { $date } hai { $stops ->
    [one] un intervento
   *[other] { $stops } interventi
}. Apri la tua settimana per vedere locali e orari.
planActivated-sms = cleanops: la tua settimana dal { $date } è cambiata ({ $stops } interventi). { $link }

demandCleaning-subject = Per favore pulisci { $area } a { $site }
demandCleaning-body = I sensori indicano che { $area } a { $site } va pulito. Per favore entro le { $time }.
demandCleaning-sms = cleanops: per favore pulisci { $area } a { $site } entro le { $time }.

invitation-subject = { $company } ti invita su cleanops
invitation-body = { $company } ti invita su cleanops come { $role }. Accetta l’invito e scegli la tua password entro il { $date } alle { $time }.
invitation-sms = cleanops: { $company } ti invita. { $link }

passwordReset-subject = Reimposta la tua password di cleanops
passwordReset-body = Qualcuno ha chiesto di reimpostare la password di questo indirizzo. Scegli una nuova password entro le { $time }; il link vale una volta.
passwordReset-sms = cleanops: reimposta la password entro le { $time }: { $link }

invoiceIssued-subject = Fattura { $number } di { $company }
invoiceIssued-body = In allegato la fattura { $number } di { $company } di { $total }, da pagare entro il { $date }.
invoiceIssued-sms = cleanops: fattura { $number } di { $company }, { $total }, scadenza { $date }.

boardPost-subject = { $author } su { $site }: { $thread }
boardPost-body = { $author } ha scritto in «{ $thread }» su { $site }: { $excerpt }
boardPost-sms = cleanops: { $author } su { $site }: { $excerpt }
