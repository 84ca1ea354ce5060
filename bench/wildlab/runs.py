import json,sys,collections
T=sys.argv[1]; which=sys.argv[2] if len(sys.argv)>2 else 'wild'
out=collections.defaultdict(list)
for l in open(f"{T}/{which}.out"):
    try: e=json.loads(l)
    except: continue
    if 'diagnosis' in e: out[e['run_id']].append(e)
labels={json.loads(l)['run_id']:json.loads(l) for l in open('/work/shared/curves/wild/labels.jsonl')}
mode=sys.argv[3] if len(sys.argv)>3 else 'labels'
if mode=='labels':
  for r,L in sorted(labels.items()):
    seq=[(e.get('epoch'),e['diagnosis'][:5]) for e in out[r] if e['diagnosis']!='warming_up']
    print(r,L['label'],L.get('onset_epoch'),L.get('accept'),len(seq),seq[:12])
else:
  cnt=sorted(((sum(1 for e in v if e['diagnosis']!='warming_up'),k) for k,v in out.items()),reverse=True)
  for c,k in cnt[:int(mode)]: print(c,k,[ (e.get('epoch'),e['diagnosis'][:5]) for e in out[k]][:20])
