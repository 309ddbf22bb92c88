Feature: Hale & Partners LLP — a litigation firm in London
  The solicitors are often in court: they forward the line by hand and leave a status, which
  callers then hear. Court deadlines (and arrests, injunctions) go to both partners at once.
  Reception takes lunch from 13:00 to 14:00, when calls are taken as messages. Many clients
  are French and hear every text in French. On bank holidays, the firm's away day and during
  the office move nobody is in the office: callers hear that it is closed and nobody is put
  through to an empty office.

  Background:
    Given the client "hale_law"

  # ---- what the agent says --------------------------------------------------------------------

  Scenario: An ordinary weekday call during office hours
    Given it is Tuesday 2026-11-24 at 10:00
    And the call was forwarded because all calls are forwarded
    When the call arrives
    Then the agent greets with "default"
    And the agent says "Hale & Partners, good day"
    And the script is "intake"
    And the windows include "open"

  Scenario: In the evening the caller hears that the office is closed
    Given it is Tuesday 2026-11-24 at 19:00
    And the call was forwarded because the line was busy
    When the call arrives
    Then the agent greets with "closed_now"
    And the agent says "Our office is closed; I can take a message, and court deadlines reach a partner straight away."
    And the windows do not include "open"

  Scenario: A French-speaking client hears the closed greeting in French
    Given it is Saturday 2026-11-28 at 11:00
    And the caller speaks French
    And the call was forwarded because all calls are forwarded
    Then the agent greets with "closed_now"
    And the agent greets in French
    And the agent says "Le cabinet est fermé"

  Scenario: A French-speaking client during office hours hears "bonjour"
    Given it is Tuesday 2026-11-24 at 10:00
    And the caller speaks French
    And the call was forwarded because the line was busy
    Then the agent greets with "default"
    And the agent says "Hale & Partners, bonjour"

  # ---- the solicitor's status ("in court until 3pm") --------------------------------------------

  Scenario: A solicitor in court forwarded the line and left a status
    Given it is Tuesday 2026-11-24 at 10:00
    And the owner's status is "In court until 3pm" until 15:00
    And the call was forwarded because the owner forwarded it by hand
    When the caller answers "matter" with "existing_matter"
    Then the agent greets with "in_court"
    And the agent says "The solicitors cannot come to the phone: In court until 3pm"
    And the urgency is "routine"
    And a message is taken and sent by email to "Harriet Hale (partner)"
    And a message is taken and sent by email to "David Osei (partner)"

  Scenario: The status is read in French to a French-speaking client
    Given it is Tuesday 2026-11-24 at 11:00
    And the owner's status is "In court until 3pm" until 15:00
    And the caller speaks French
    And the call was forwarded because the owner forwarded it by hand
    Then the agent greets with "in_court"
    And the agent says "Les avocats ne sont pas joignables : In court until 3pm"

  Scenario: A court deadline reaches the partners even while they are in court
    Given it is Tuesday 2026-11-24 at 10:30
    And the owner's status is "In court until 3pm" until 15:00
    And the call was forwarded because the owner forwarded it by hand
    When the caller answers "matter" with "court_deadline"
    Then the agent greets with "in_court"
    And the urgency is "urgent"
    And the call is escalated by "partners" starting with "Harriet Hale (partner)" by call

  Scenario: A status left in the evening is heard rather than "closed"
    Given it is Tuesday 2026-11-24 at 20:00
    And the owner's status is "Back tomorrow at 9" until 2026-11-25 09:00
    And the call was forwarded because the owner forwarded it by hand
    Then the agent greets with "in_court"
    And the agent says "Back tomorrow at 9"

  Scenario: Once the status has expired the ordinary greeting is back
    Given it is Tuesday 2026-11-24 at 15:30
    And the owner's status is "In court until 3pm" until 15:00
    And the call was forwarded because the owner forwarded it by hand
    When the caller answers "matter" with "existing_matter"
    Then the agent greets with "default"
    And the call is patched to "Reception"

  Scenario: Forwarded by hand with no status at night is simply closed
    Given it is Wednesday 2026-11-25 at 21:00
    And the call was forwarded because the owner forwarded it by hand
    Then the agent greets with "closed_now"

  Scenario: A status does not play when the line was merely busy
    Given it is Tuesday 2026-11-24 at 10:00
    And the owner's status is "In court until 3pm" until 15:00
    And the call was forwarded because the line was busy
    Then the agent greets with "default"

  # ---- before the matter is known -----------------------------------------------------------------

  Scenario: Until the caller says what the call is about, nothing is decided
    Given it is Tuesday 2026-11-24 at 10:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "name" with "Tom Baker"
    Then the urgency is not decided yet
    And no route is chosen yet
    And the agent must still ask for "matter"

  # ---- urgent: the partners --------------------------------------------------------------------------

  Scenario: A court deadline at night calls both partners, then writes to them
    Given it is Wednesday 2026-11-25 at 22:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "matter" with "court_deadline"
    Then the agent greets with "closed_now"
    And the urgency is "urgent"
    And the call is escalated by "partners" starting with "Harriet Hale (partner)" by call
    And the call is escalated by "partners" starting with "David Osei (partner)" by call
    And if nobody acknowledges, a message is taken with priority "urgent" and sent by email to "Harriet Hale (partner)"
    And if nobody acknowledges, a message is taken with priority "urgent" and sent by sms to "Harriet Hale (partner)"
    And if nobody acknowledges, a message is taken with priority "urgent" and sent by email to "David Osei (partner)"
    And if nobody acknowledges, a message is taken with priority "urgent" and sent by sms to "David Osei (partner)"

  Scenario: "Arrested" in the notes is urgent before the matter is asked
    Given it is Saturday 2026-11-28 at 02:00
    And the call was forwarded because all calls are forwarded
    When the agent notes "My son was arrested tonight"
    Then the urgency is "urgent"
    And the call is escalated by "partners" starting with "David Osei (partner)" by call

  # ---- important clients ------------------------------------------------------------------------------

  Scenario: An important client during office hours: Harriet, then David, then a message
    Given it is Thursday 2026-11-26 at 10:00
    And the caller is "+442079460555"
    And the call was forwarded because all calls are forwarded
    When the caller answers "matter" with "existing_matter"
    Then the urgency is "important"
    And the call is patched to "Harriet Hale (partner)"
    And if that fails, the call is patched to "David Osei (partner)"
    And if that fails, a message is taken with priority "high" and sent by email to "Harriet Hale (partner)"

  Scenario: An important French client at lunch leaves a high-priority message for the partners
    Given it is Tuesday 2026-11-24 at 13:15
    And the caller is "+33155550123"
    And the caller speaks French
    And the call was forwarded because all calls are forwarded
    When the caller answers "matter" with "existing_matter"
    Then the agent greets in French
    And the windows include "lunch"
    And the urgency is "important"
    And a message is taken with priority "high" and sent by email to "Harriet Hale (partner)"
    And a message is taken with priority "high" and sent by email to "David Osei (partner)"

  Scenario: An important client's billing question at night still goes to the partners
    Given it is Wednesday 2026-11-25 at 20:00
    And the caller is "+442079460555"
    And the call was forwarded because all calls are forwarded
    When the caller answers "matter" with "billing"
    Then the agent greets with "closed_now"
    And the urgency is "important"
    And a message is taken with priority "high" and sent by email to "Harriet Hale (partner)"

  # ---- routine calls -------------------------------------------------------------------------------------

  Scenario: An existing matter during office hours is put through to reception
    Given it is Wednesday 2026-11-25 at 11:00
    And the call was forwarded because the line was busy
    When the caller answers "matter" with "existing_matter"
    Then the urgency is "routine"
    And the call is patched to "Reception"
    And if that fails, a message is taken and sent by email to "Reception"

  Scenario: At lunch reception is not disturbed
    Given it is Wednesday 2026-11-25 at 13:30
    And the call was forwarded because the line was busy
    When the caller answers "matter" with "existing_matter"
    Then the agent greets with "default"
    And the windows include "lunch"
    And a message is taken and sent by email to "Reception"

  Scenario: A new client during office hours is put through to the associate
    Given it is Thursday 2026-11-26 at 15:00
    And the call was forwarded because nobody answered
    When the caller answers "matter" with "new_client"
    Then the urgency is "routine"
    And the call is patched to "Priya Rahman (associate)"
    And if that fails, a message is taken and sent by email to "Priya Rahman (associate)"

  Scenario: A new client at lunch leaves a message for the associate
    Given it is Thursday 2026-11-26 at 13:00
    And the call was forwarded because nobody answered
    When the caller answers "matter" with "new_client"
    Then a message is taken with priority "normal" and sent by email to "Priya Rahman (associate)"

  Scenario: Billing questions go to accounts by email
    Given it is Friday 2026-11-27 at 10:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "matter" with "billing"
    Then the urgency is "routine"
    And a message is taken and sent by email to "Accounts"

  Scenario: Any other matter after hours is a message for reception
    Given it is Friday 2026-11-27 at 18:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "matter" with "other"
    Then a message is taken and sent by email to "Reception"

  # ---- holidays and closures (England) ---------------------------------------------------------------

  Scenario: Good Friday is a bank holiday in England
    Given it is Friday 2026-04-03 at 10:00
    And the call was forwarded because all calls are forwarded
    Then the agent greets with "closed_now"
    And the windows include "holiday"

  Scenario: The firm's away day is its own holiday
    Given it is Friday 2026-06-19 at 10:00
    And the call was forwarded because all calls are forwarded
    Then the agent greets with "closed_now"
    And the windows include "holiday"

  Scenario: Boxing Day falls on a Saturday, so Monday the 28th is the bank holiday
    Given it is Monday 2026-12-28 at 10:00
    And the call was forwarded because all calls are forwarded
    Then the agent greets with "closed_now"
    And the windows include "holiday"

  Scenario: On a bank holiday morning nobody is put through to the empty office
    Given it is Monday 2026-12-28 at 10:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "matter" with "existing_matter"
    Then the agent greets with "closed_now"
    And the windows do not include "open"
    And a message is taken and sent by email to "Reception"

  Scenario: On Good Friday a new client's enquiry is a message for the associate
    Given it is Friday 2026-04-03 at 11:00
    And the call was forwarded because nobody answered
    When the caller answers "matter" with "new_client"
    Then the agent greets with "closed_now"
    And a message is taken and sent by email to "Priya Rahman (associate)"

  Scenario: On Easter Monday an important client is not patched to a partner
    Given it is Monday 2026-04-06 at 10:00
    And the caller is "+442079460555"
    And the call was forwarded because all calls are forwarded
    When the caller answers "matter" with "existing_matter"
    Then the agent greets with "closed_now"
    And the urgency is "important"
    And a message is taken with priority "high" and sent by email to "David Osei (partner)"

  Scenario: A French client on the away day hears that the office is closed, in French
    Given it is Friday 2026-06-19 at 15:00
    And the caller speaks French
    And the call was forwarded because all calls are forwarded
    When the caller answers "matter" with "existing_matter"
    Then the agent greets with "closed_now"
    And the agent says "Le cabinet est fermé ; je peux prendre un message, et les délais de procédure sont transmis immédiatement à un associé."
    And a message is taken and sent by email to "Reception"

  Scenario: A court deadline on a bank holiday still reaches both partners at once
    Given it is Monday 2026-05-04 at 10:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "matter" with "court_deadline"
    Then the agent greets with "closed_now"
    And the windows include "holiday"
    And the urgency is "urgent"
    And the call is escalated by "partners" starting with "Harriet Hale (partner)" by call
    And the call is escalated by "partners" starting with "David Osei (partner)" by call

  Scenario: The office move: closed from Friday evening, through the bank holiday
    Given it is Monday 2026-08-31 at 11:00
    And the call was forwarded because all calls are forwarded
    Then the agent greets with "closed_now"
    And the windows include "closed"
    And the windows include "holiday"

  Scenario: The Tuesday morning after the move is a closure on an ordinary working day
    Given it is Tuesday 2026-09-01 at 10:00
    And the call was forwarded because the line was busy
    When the caller answers "matter" with "existing_matter"
    Then the agent greets with "closed_now"
    And the windows include "closed"
    And the windows do not include "holiday"
    And the windows do not include "open"
    And a message is taken and sent by email to "Reception"

  Scenario: A new client during the move is not put through to the associate
    Given it is Tuesday 2026-09-01 at 11:30
    And the call was forwarded because all calls are forwarded
    When the caller answers "matter" with "new_client"
    Then a message is taken and sent by email to "Priya Rahman (associate)"

  Scenario: The new office answers from Tuesday noon
    Given it is Tuesday 2026-09-01 at 12:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "matter" with "existing_matter"
    Then the agent greets with "default"
    And the call is patched to "Reception"

  # ---- a week of calls -------------------------------------------------------------------------------

  Scenario Outline: The week of the office move: open hours sound open, closed hours sound closed
    Given it is <day> at <time>
    And the call was forwarded because all calls are forwarded
    Then the agent greets with "<greeting>"

    Examples:
      | day                  | time  | greeting   |
      | Monday 2026-08-24    | 08:59 | closed_now |
      | Monday 2026-08-24    | 09:00 | default    |
      | Tuesday 2026-08-25   | 13:30 | default    |
      | Wednesday 2026-08-26 | 17:29 | default    |
      | Wednesday 2026-08-26 | 17:30 | closed_now |
      | Friday 2026-08-28    | 17:00 | default    |
      | Friday 2026-08-28    | 17:29 | default    |
      | Saturday 2026-08-29  | 11:00 | closed_now |
      | Monday 2026-08-31    | 11:00 | closed_now |
      | Tuesday 2026-09-01   | 08:59 | closed_now |
      | Tuesday 2026-09-01   | 09:00 | closed_now |
      | Tuesday 2026-09-01   | 11:59 | closed_now |
      | Tuesday 2026-09-01   | 12:00 | default    |
      | Wednesday 2026-09-02 | 09:00 | default    |
