"""The carrier's side for the odd header: a SIPp scenario that sends one INVITE the way a carrier
forwards a call. Ordinary Diversion calls use the shipped deploy/kamailio/carrier.xml (harness.py);
these scenarios carry what it does not: History-Info, two diversions, spoofed decision headers.

Each such test call gets its own scenario file (its Call-ID, NAME@switch-test, is given to SIPp
with `-cid_str`, so that SIPp matches the responses to its call), with the headers of its forwarding method, and
says how the call should end: answered by the agent position (200, then ACK and BYE through
Kamailio's recorded route), redirected (302) or rejected (404), each acknowledged.
"""

from __future__ import annotations

from pathlib import Path

HEAD = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="carrier: {name}">
  <send retrans="500">
    <![CDATA[
      INVITE sip:{dialled}@answering.example SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:{caller}@carrier.example>;tag=[pid]carrier[call_number]
      To: <sip:{dialled}@answering.example>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:carrier@[local_ip]:[local_port]>
      Max-Forwards: 70
{headers}      Content-Length: 0

    ]]>
  </send>
  <recv response="100" optional="true"/>
"""

ANSWERED = """  <recv response="180" optional="true"/>
  <recv response="200" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:{caller}@carrier.example>;tag=[pid]carrier[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      [routes]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:{caller}@carrier.example>;tag=[pid]carrier[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 2 BYE
      [routes]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
</scenario>
"""

REFUSED = """  <recv response="{status}"/>
  <send>
    <![CDATA[
      ACK sip:{dialled}@answering.example SIP/2.0
      [last_Via:]
      From: "Caller" <sip:{caller}@carrier.example>;tag=[pid]carrier[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
</scenario>
"""


CANCELLED = """  <recv response="180"/>
  <pause milliseconds="300"/>
  <send>
    <![CDATA[
      CANCEL sip:{dialled}@answering.example SIP/2.0
      [last_Via:]
      From: "Caller" <sip:{caller}@carrier.example>;tag=[pid]carrier[call_number]
      To: <sip:{dialled}@answering.example>
      Call-ID: [call_id]
      CSeq: 1 CANCEL
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
""" + REFUSED.replace("{status}", "487")


def scenario(folder: Path, name: str, headers: list[str], dialled: str, caller: str, status: int) -> Path:
    """Write the scenario of one call; `status` is the final response the carrier expects (487: it
    hangs up 0.3 s after the call rings, before anyone answers)."""
    values = {
        "name": name,
        "dialled": dialled,
        "caller": caller,
        "headers": "".join(f"      {header}\n" for header in headers),
        "status": status,
    }
    tail = ANSWERED if status == 200 else CANCELLED if status == 487 else REFUSED
    path = folder / f"{name}.xml"
    path.write_text((HEAD + tail).format(**values), encoding="ascii")
    return path
