open = Ouvrir dans cleanops
footer = Vous recevez ce message selon vos réglages de notification dans cleanops.
secret-footer = Si vous n’attendiez pas ce message, ignorez-le : rien ne change.
role-admin = administrateur
role-dispatcher = répartiteur
role-cleaner = agent d’entretien
role-customer = client

cleanerLate-subject = { $cleaner } n’a pas pointé à { $site }
cleanerLate-body = { $cleaner } n’a pas pointé à { $site }, et le créneau de nettoyage s’est terminé à { $time }. { $stops ->
    [one] Une pièce reste à faire.
   *[other] { $stops } pièces restent à faire.
}
cleanerLate-sms = cleanops : { $cleaner } n’a pas pointé à { $site } (créneau terminé à { $time }).

visitSkipped-subject = { $status ->
    [not-accessible] { $area } à { $site } n’était pas accessible
   *[other] { $area } à { $site } a été sauté
}
visitSkipped-body = { $cleaner } { $status ->
    [not-accessible] n’a pas pu entrer dans
   *[other] a sauté
} { $area } à { $site } à { $time }. Motif : { $reason }
visitSkipped-sms = cleanops : { $area } à { $site } { $status ->
    [not-accessible] non accessible
   *[other] sauté
} ({ $cleaner }, { $time }) : { $reason }

inspectionFailed-subject = Contrôle à { $site } : { $score } %
inspectionFailed-body = Le contrôle qualité à { $site } du { $date } a obtenu { $score } %, sous les { $threshold } % convenus. Le répartiteur fait le point avec l’équipe.
inspectionFailed-sms = cleanops : contrôle à { $site } du { $date } : { $score } % (seuil { $threshold } %).

planActivated-subject = Votre semaine à partir du { $date }
planActivated-body = Votre planning a changé. À partir du { $date }, vous avez { $stops ->
    [one] une intervention
   *[other] { $stops } interventions
}. Ouvrez votre semaine pour voir vos pièces et vos horaires.
planActivated-sms = cleanops : votre semaine à partir du { $date } a changé ({ $stops } interventions). { $link }

demandCleaning-subject = Merci de nettoyer { $area } à { $site }
demandCleaning-body = Les capteurs indiquent que { $area } à { $site } doit être nettoyé. Merci de le faire avant { $time }.
demandCleaning-sms = cleanops : merci de nettoyer { $area } à { $site } avant { $time }.

invitation-subject = { $company } vous invite sur cleanops
invitation-body = { $company } vous invite sur cleanops en tant que { $role }. Acceptez l’invitation et choisissez votre mot de passe avant le { $date } à { $time }.
invitation-sms = cleanops : { $company } vous invite. { $link }

passwordReset-subject = Réinitialiser votre mot de passe cleanops
passwordReset-body = Quelqu’un a demandé à réinitialiser le mot de passe de cette adresse. Choisissez un nouveau mot de passe avant { $time } ; le lien ne sert qu’une fois.
passwordReset-sms = cleanops : réinitialisez votre mot de passe avant { $time } : { $link }

invoiceIssued-subject = Facture { $number } de { $company }
invoiceIssued-body = Veuillez trouver ci-joint la facture { $number } de { $company } d’un montant de { $total }, payable au { $date }.
invoiceIssued-sms = cleanops : facture { $number } de { $company }, { $total }, échéance { $date }.

boardPost-subject = { $author } au sujet de { $site } : { $thread }
boardPost-body = { $author } a écrit dans « { $thread } » au sujet de { $site } : { $excerpt }
boardPost-sms = cleanops : { $author } au sujet de { $site } : { $excerpt }
